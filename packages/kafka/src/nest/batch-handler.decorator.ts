import { MessagePattern } from '@nestjs/microservices';
import type { TopicLike } from '../event-producer';

/** Transport id of KafkaBatchTransport; @BatchHandler methods bind only to it. */
export const KAFKA_BATCH_TRANSPORT = Symbol.for('cdp.kafka-batch-transport');

/** Key under which a batch handler's settings travel in Nest's pattern extras. */
export const BATCH_HANDLER_EXTRAS = 'cdpBatchHandler';

export interface BatchHandlerOptions {
  /** Consumer group (logical; the transport's topic prefix is prepended). */
  groupId: string;
  /** Reader schema full name; default: the latest local version of the writer's record. */
  readerSchema?: string;
  /** Tombstones of compacted topics: skipped by default, or delivered with `value: null`. */
  tombstones?: 'skip' | 'deliver';
}

export interface BatchHandlerMetadata extends BatchHandlerOptions {
  /** Logical topic name (no prefix). */
  topic: string;
}

const originalErrors = new WeakMap<object, unknown>();

/**
 * Nest's RPC exception layer replaces a thrown error by `{ status: 'error', message }`; the
 * transport needs the original (its SQLSTATE decides between retrying at once, backing off and
 * counting towards dead-lettering), so the decorated method leaves it here, keyed by the batch.
 */
export function takeOriginalError(batch: object): unknown {
  const err = originalErrors.get(batch);
  originalErrors.delete(batch);
  return err;
}

/**
 * Declares a method as the batch handler of one topic for one consumer group:
 *
 *   @BatchHandler(TOPICS.ingestEvents, { groupId: 'identity' })
 *   async handle(batch: ConsumedBatch<IngestedEvent>): Promise<BatchResult | void> { ... }
 *
 * The method runs through Nest's handler pipeline (guards, interceptors, filters) with the batch as
 * its payload; the KafkaBatchTransport consumes the topic and runs it inside the batch transaction.
 */
export function BatchHandler(topic: TopicLike, options: BatchHandlerOptions): MethodDecorator {
  const name = typeof topic === 'string' ? topic : topic.name;
  const metadata: BatchHandlerMetadata = { topic: name, ...options };
  return <T>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> => {
    const original = descriptor.value as unknown;
    if (typeof original !== 'function') throw new TypeError(`@BatchHandler must decorate a method (${String(key)})`);
    const wrapped = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      try {
        return await (original as (...a: unknown[]) => unknown).apply(this, args);
      } catch (err) {
        const batch = args[0];
        if (batch && typeof batch === 'object') originalErrors.set(batch, err);
        throw err;
      }
    };
    // Keep what decorators applied before this one attached to the function itself.
    for (const metaKey of Reflect.getMetadataKeys(original)) {
      Reflect.defineMetadata(metaKey, Reflect.getMetadata(metaKey, original), wrapped);
    }
    Object.defineProperty(wrapped, 'name', { value: (original as { name: string }).name });
    descriptor.value = wrapped as T;
    MessagePattern({ cdpBatch: name, groupId: options.groupId }, KAFKA_BATCH_TRANSPORT, { [BATCH_HANDLER_EXTRAS]: metadata })(target, key, descriptor);
    return descriptor;
  };
}
