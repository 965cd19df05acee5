import type { BatchResult } from './batch-result';
import type { OutgoingEvent } from './event-producer';
import type { StringHeaders } from './headers';
import type { SqlExecutor } from './sql';

/** One decoded message as a batch handler sees it. */
export interface ConsumedMessage<T> {
  /** Dedupe key: the `cdp-event-id` header, else the value's id / messageId. */
  readonly eventId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: T;
  readonly schemaId: number;
  /** Full name of the writer's record. */
  readonly schema: string;
  readonly headers: StringHeaders;
  /** Kafka record timestamp (epoch ms). */
  readonly timestamp: number;
}

/**
 * What a batch handler receives: the new (not yet applied) messages of one partition, in offset
 * order, and the open transaction that will also store the offsets, processed ids and outbox rows.
 * All state changes must go through `tx`; anything done elsewhere is not exactly-once.
 */
export interface ConsumedBatch<T> {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly messages: ReadonlyArray<ConsumedMessage<T>>;
  readonly tx: SqlExecutor;
  /** 1 on the first try; retries of the same messages count up. */
  readonly attempt: number;
  /** Queue events for the outbox; they are written in this transaction and published after it commits. */
  emit(...events: OutgoingEvent[]): void;
  /** Keeps group membership alive during unusually long work (the runtime also heartbeats on a timer). */
  heartbeat(): Promise<void>;
}

export type BatchHandlerFn<T> = (batch: ConsumedBatch<T>) => Promise<BatchResult | void>;
