import { ALL_TOPICS } from '@cdp/contracts';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { Kafka, SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { Registry } from 'prom-client';
import { lastValueFrom } from 'rxjs';
import { BatchConsumer, type BatchConsumerOptions, subscribe } from '../batch-consumer';
import type { BatchResult } from '../batch-result';
import type { ConsumedBatch } from '../consumed-batch';
import { errorMessage, KafkaRuntimeError } from '../errors';
import { EventProducer, type TopicLike } from '../event-producer';
import { createKafka } from '../kafka-client';
import { createConsoleLogger, type Logger } from '../logger';
import { KafkaRuntimeMetrics } from '../metrics';
import { OutboxRelay, type OutboxRelayOptions } from '../outbox';
import { backoffDelay, retryPolicy, sleep } from '../retry-policy';
import type { EventSerde } from '../serde';
import type { TransactionRunner } from '../sql';
import { ensureTopics, type TopicSpecs } from '../topic-admin';
import { BATCH_HANDLER_EXTRAS, type BatchHandlerMetadata, KAFKA_BATCH_TRANSPORT, takeOriginalError } from './batch-handler.decorator';
import { KafkaBatchContext } from './kafka-batch.context';

export type ConsumerTuning = Partial<
  Pick<
    BatchConsumerOptions,
    | 'maxBatchSize'
    | 'partitionsConsumedConcurrently'
    | 'sessionTimeoutMs'
    | 'heartbeatIntervalMs'
    | 'maxBytesPerPartition'
    | 'maxWaitTimeMs'
    | 'fromBeginning'
    | 'retry'
  >
>;

export type OutboxTuning = Partial<Omit<OutboxRelayOptions, 'transactionRunner' | 'schema' | 'producer' | 'logger' | 'metrics'>>;

export interface KafkaBatchTransportOptions {
  brokers: string | readonly string[];
  clientId: string;
  /** Prepended to every topic and consumer group (test runs, shared clusters). */
  topicPrefix?: string;
  serde: EventSerde;
  /** Runs the batch transactions, e.g. `(work) => dataSource.transaction((m) => work(m))`. */
  transactionRunner: TransactionRunner;
  /** Postgres schema holding this service's runtime tables (see runtimeTablesDdl). */
  schema: string;
  logger?: Logger;
  /** Prometheus registry for the runtime's metrics (default: prom-client's global registry). */
  registry?: Registry;
  /** An existing kafkajs client to reuse instead of creating one from brokers/clientId. */
  kafka?: Kafka;
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
  /** Topics created (when missing) before consuming; default the whole contracts registry. */
  ensureTopics?: TopicSpecs | false;
  consumer?: ConsumerTuning;
  /** Outbox relay settings; false when another process relays this schema's outbox. */
  outbox?: OutboxTuning | false;
  deadLetterTopic?: TopicLike;
  /**
   * `wait` (default): listening fails when Kafka cannot be reached. `background`: listening succeeds at
   * once and the transport keeps trying to connect with backoff, so the service's HTTP API and health
   * endpoints come up (readiness reports Kafka down) and consumers join when the brokers answer.
   */
  startup?: 'wait' | 'background';
}

/** How long close() keeps publishing what the last consumed batches emitted. */
const RELAY_DRAIN_ON_CLOSE_MS = 5000;

/**
 * Nest microservice transport running the shared batch consumer: every @BatchHandler method
 * becomes a subscription, one Kafka consumer per consumer group, and the service's outbox relay
 * runs alongside. Attach with
 * `app.connectMicroservice({ strategy: new KafkaBatchTransport(options) })`; `app.close()` stops it.
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  override transportId = KAFKA_BATCH_TRANSPORT;
  private readonly log: Logger;
  private kafka?: Kafka;
  private producer?: EventProducer;
  private relay?: OutboxRelay;
  private consumers: BatchConsumer[] = [];
  private readonly listeners = new Map<string, Array<(...args: unknown[]) => void>>();
  private readonly closing = new AbortController();
  private starting?: Promise<void>;

  constructor(private readonly options: KafkaBatchTransportOptions) {
    super();
    this.log = options.logger ?? createConsoleLogger('info', { component: 'kafka-batch-transport' });
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    if (this.options.startup === 'background') {
      this.starting = this.startUntilUp();
      callback();
      return;
    }
    this.start().then(
      () => callback(),
      (err: unknown) => {
        this.log.error({ err: errorMessage(err) }, 'Kafka batch transport failed to start');
        callback(err);
      },
    );
  }

  /** Starts, and after a failure tears down what half-started and tries again, until it runs or close() is called. */
  private async startUntilUp(): Promise<void> {
    const policy = retryPolicy({ initialDelayMs: 500, maxDelayMs: 30_000 });
    for (let attempt = 1; !this.closing.signal.aborted; attempt++) {
      try {
        await this.start();
        return;
      } catch (err) {
        const delayMs = backoffDelay(policy, attempt);
        this.log.warn({ err: errorMessage(err), attempt, retryInMs: delayMs }, 'Kafka batch transport could not start; retrying');
        await this.stopParts();
        await sleep(delayMs, this.closing.signal);
      }
    }
  }

  /**
   * Resolves only once nothing of the transport uses the database or Kafka any more, so the caller
   * may close its pool or DataSource right after. Order: consumers leave their groups (an in-flight
   * batch commits or rolls back), then the relay publishes what those batches emitted, then the
   * producer disconnects.
   */
  async close(): Promise<void> {
    this.closing.abort();
    await this.starting;
    await this.stopParts();
    this._status$.next('disconnected');
    this.emit('disconnected');
  }

  /** Consumers, relay and producer, in that order; each only once it no longer uses the database or Kafka. */
  private async stopParts(): Promise<void> {
    const consumers = this.consumers;
    this.consumers = [];
    const stopped = await Promise.allSettled(consumers.map((c) => c.stop()));
    for (const [i, result] of stopped.entries()) {
      if (result.status === 'rejected') this.log.error({ group: consumers[i].groupId, err: errorMessage(result.reason) }, 'batch consumer did not stop cleanly');
    }
    const relay = this.relay;
    this.relay = undefined;
    // No drain round starts after the deadline, so a dead broker holds shutdown for one round at
    // most, and that round ends (within the producer's retries) before stop() resolves: racing it
    // with a timer instead left it running against a pool the caller closes next.
    await relay?.stop(RELAY_DRAIN_ON_CLOSE_MS);
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'producer did not disconnect cleanly'));
  }

  /** Status events: `connected` after start, `disconnected` after close. */
  on<EventKey extends string = string, EventCallback = unknown>(event: EventKey, callback: EventCallback): void {
    if (typeof callback !== 'function') throw new TypeError(`Listener for ${event} must be a function`);
    const list = this.listeners.get(event) ?? [];
    list.push(callback as (...args: unknown[]) => void);
    this.listeners.set(event, list);
  }

  unwrap<T>(): T {
    return { kafka: this.kafka, consumers: this.consumers, relay: this.relay } as T;
  }

  /** Group ids and topics this transport consumes (after start). */
  describe(): Array<{ groupId: string; topics: string[] }> {
    return this.consumers.map((c) => ({ groupId: c.groupId, topics: c.topics }));
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const cb of this.listeners.get(event) ?? []) cb(...args);
  }

  private async start(): Promise<void> {
    const { options } = this;
    const prefix = options.topicPrefix ?? '';
    const metrics = KafkaRuntimeMetrics.for(options.registry);
    const kafka = (this.kafka =
      options.kafka ?? createKafka({ brokers: options.brokers, clientId: options.clientId, ssl: options.ssl, sasl: options.sasl, logger: this.log }));

    const groups = new Map<string, Array<{ meta: BatchHandlerMetadata; handler: MessageHandler }>>();
    for (const handler of this.getHandlers().values()) {
      const meta = handler.extras?.[BATCH_HANDLER_EXTRAS] as BatchHandlerMetadata | undefined;
      if (!meta) continue;
      const list = groups.get(meta.groupId) ?? [];
      list.push({ meta, handler });
      groups.set(meta.groupId, list);
    }

    if (options.ensureTopics !== false) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const created = await ensureTopics(admin, options.ensureTopics ?? ALL_TOPICS, prefix);
        if (created.length > 0) this.log.info({ topics: created }, 'created topics');
      } finally {
        await admin.disconnect();
      }
    }

    if (options.outbox !== false) {
      this.producer = new EventProducer(kafka, { topicPrefix: prefix, logger: this.log, metrics });
      await this.producer.connect();
      this.relay = new OutboxRelay({
        ...options.outbox,
        transactionRunner: options.transactionRunner,
        schema: options.schema,
        producer: this.producer,
        logger: this.log,
        metrics,
      });
      this.relay.start();
    }

    for (const [groupId, handlers] of groups) {
      const consumer = new BatchConsumer({
        ...options.consumer,
        kafka,
        groupId,
        topicPrefix: prefix,
        serde: options.serde,
        transactionRunner: options.transactionRunner,
        schema: options.schema,
        logger: this.log,
        registry: options.registry,
        deadLetterTopic: options.deadLetterTopic,
        producerName: options.clientId,
        onOutboxWrite: () => this.relay?.nudge(),
        subscriptions: handlers.map(({ meta, handler }) =>
          subscribe<unknown>(meta.topic, (batch) => this.invoke(handler, batch), { readerSchema: meta.readerSchema, tombstones: meta.tombstones }),
        ),
      });
      this.consumers.push(consumer);
      await consumer.start();
      this.log.info({ group: consumer.groupId, topics: consumer.topics }, 'batch consumer started');
    }
    this._status$.next('connected');
    this.emit('connected');
  }

  /** Runs a handler through Nest's pipeline and hands back its verdicts, or its original error. */
  private async invoke(handler: MessageHandler, batch: ConsumedBatch<unknown>): Promise<BatchResult | void> {
    const context = new KafkaBatchContext([batch.topic, batch.partition, batch.groupId]);
    try {
      const output = await handler(batch, context);
      return (await lastValueFrom(this.transformToObservable(output), { defaultValue: undefined })) as BatchResult | void;
    } catch (err) {
      const original = takeOriginalError(batch);
      if (original !== undefined) throw original;
      if (err instanceof Error) throw err;
      throw new KafkaRuntimeError('KAFKA_HANDLER_FAILED', errorMessage((err as { message?: unknown })?.message ?? err));
    }
  }
}
