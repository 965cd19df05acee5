import type { IHeaders } from 'kafkajs';
import { partitionResults } from './batch-result';
import type { BatchHandlerFn, ConsumedMessage } from './consumed-batch';
import { buildDeadLetter, DEAD_LETTER_SCHEMA, DeadLetterReason } from './dead-letter';
import { encodeEvents, eventIdOf, type EncodedRecord, type OutgoingEvent, type TopicLike, resolveTopic } from './event-producer';
import { errorMessage, KafkaRuntimeError } from './errors';
import { EVENT_ID_HEADER, headersToStrings, type StringHeaders } from './headers';
import type { Logger } from './logger';
import type { KafkaRuntimeMetrics } from './metrics';
import { nextOffsetAfter, unappliedMessages } from './offsets';
import { insertOutbox } from './outbox';
import { backoffDelay, classifyFailure, sleep, splitRange, type RetryPolicy } from './retry-policy';
import type { EventSerde } from './serde';
import { quoteIdent, type SqlExecutor, type TransactionRunner } from './sql';

/** A message as fetched from Kafka (kafkajs's KafkaMessage fits). */
export interface RawMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  timestamp: string;
}

/** The partition being processed and the consumer's hooks into it. */
export interface PartitionContext {
  topic: string;
  partition: number;
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was sought elsewhere: abandon the work. */
  isActive(): boolean;
}

export interface BatchProcessorOptions<T> {
  groupId: string;
  /** Postgres schema holding consumer_offsets / processed_events / outbox. */
  schema: string;
  transactionRunner: TransactionRunner;
  serde: EventSerde;
  handler: BatchHandlerFn<T>;
  /** Reader schema for decoding (default: the writer's record, latest local version). */
  readerSchema?: string;
  /** Null-value records: skipped (default) or handed to the handler with `value: null` (compacted topics). */
  tombstones?: 'skip' | 'deliver';
  topicPrefix: string;
  deadLetterTopic: TopicLike;
  /** Producer name recorded in dead letters (the service). */
  producerName: string;
  retry: RetryPolicy;
  logger: Logger;
  metrics: KafkaRuntimeMetrics;
  /** Called after a commit that wrote outbox rows. */
  onOutboxWrite?: () => void;
  heartbeatIntervalMs?: number;
  now?: () => number;
}

type Entry<T> =
  | { ok: true; raw: RawMessage; offset: string; message: ConsumedMessage<T> }
  | { ok: false; raw: RawMessage; offset: string; reason: string; detail: string; eventId: string | null; headers: StringHeaders };

/** Raised when the consumer stops or loses the partition while a batch is retrying. */
class ProcessingAbandoned extends Error {}

/** Anything the handler is responsible for: its own throws, invalid results, unencodable emits. */
class HandlerFailure extends Error {
  constructor(cause: unknown) {
    super(errorMessage(cause), { cause });
  }
}

/** The serde could not reach its schema registry (as opposed to the bytes being bad). */
class RegistryUnavailable extends Error {
  constructor(cause: unknown) {
    super(errorMessage(cause), { cause });
  }
}

function isRegistryOutage(err: unknown): boolean {
  const { code, details } = (err ?? {}) as { code?: unknown; details?: { status?: number } };
  if (code === 'AVRO_REGISTRY_UNAVAILABLE') return true;
  return code === 'AVRO_REGISTRY_ERROR' && (details?.status ?? 0) >= 500;
}

type Mode = { kind: 'handle' } | { kind: 'dead-letter'; reason: string; detail: string; attempts: number };

export interface CommitSummary {
  applied: number;
  duplicates: number;
  alreadyApplied: number;
  dropped: number;
  deadLettered: number;
  nextOffset: string;
}

/**
 * Applies one partition's messages exactly once: every commit is one Postgres transaction that
 * locks the partition's stored offset, skips messages below it, dedupes event ids, runs the
 * handler, writes dead letters and emitted events to the outbox and advances the offset.
 * Transient failures retry with capped backoff; a batch that keeps failing is bisected until the
 * poison message is alone, which is then dead-lettered, so nothing is skipped silently.
 */
export class BatchProcessor<T> {
  private readonly schemaSql: string;
  private readonly now: () => number;

  constructor(private readonly options: BatchProcessorOptions<T>) {
    this.schemaSql = quoteIdent(options.schema);
    this.now = options.now ?? Date.now;
  }

  /** Processes the messages (one partition, offset order); resolves with the offset to resume from, or null if abandoned. */
  async process(ctx: PartitionContext, raws: readonly RawMessage[]): Promise<string | null> {
    if (raws.length === 0) return null;
    try {
      const entries = await this.decodeWithRetries(ctx, raws);
      await this.runWithRetries(ctx, entries, this.options.retry.maxAttempts);
      return nextOffsetAfter(raws);
    } catch (err) {
      if (err instanceof ProcessingAbandoned) return null;
      throw err;
    }
  }

  /** Reads the stored resume positions of the given partitions (null when none is stored yet). */
  async storedOffsets(topic: string, partitions: readonly number[]): Promise<Map<number, string>> {
    const rows = await this.options.transactionRunner((tx) =>
      tx.query<{ partition: number; next_offset: string }>(
        `SELECT partition, next_offset::text AS next_offset FROM ${this.schemaSql}.consumer_offsets
         WHERE group_id = $1 AND topic = $2 AND partition = ANY($3::int[])`,
        [this.options.groupId, topic, partitions],
      ),
    );
    return new Map(rows.map((r) => [Number(r.partition), String(r.next_offset)]));
  }

  /** A schema registry that cannot be reached says nothing about the message: wait, never dead-letter. */
  private async decodeWithRetries(ctx: PartitionContext, raws: readonly RawMessage[]): Promise<Array<Entry<T>>> {
    for (let outages = 1; ; outages++) {
      try {
        return await this.decodeAll(ctx, raws);
      } catch (err) {
        if (!(err instanceof RegistryUnavailable)) throw err;
        this.options.metrics.retries.inc({ group: this.options.groupId, topic: ctx.topic, kind: 'unavailable' });
        this.options.logger.warn({ topic: ctx.topic, partition: ctx.partition, err: errorMessage(err.cause), outages }, 'schema registry unavailable; retrying decode');
        await this.pause(ctx, backoffDelay(this.options.retry, outages));
        if (!ctx.isActive()) throw new ProcessingAbandoned();
      }
    }
  }

  private async decodeAll(ctx: PartitionContext, raws: readonly RawMessage[]): Promise<Array<Entry<T>>> {
    return Promise.all(
      raws.map(async (raw): Promise<Entry<T>> => {
        const headers = headersToStrings(raw.headers);
        const headerId = headers[EVENT_ID_HEADER] || null;
        if (raw.value === null) {
          if (this.options.tombstones !== 'deliver') {
            return { ok: false, raw, offset: raw.offset, reason: 'TOMBSTONE', detail: 'Record has no value', eventId: headerId, headers };
          }
          const message: ConsumedMessage<T> = {
            eventId: headerId ?? `${ctx.topic}:${ctx.partition}:${raw.offset}`,
            topic: ctx.topic,
            partition: ctx.partition,
            offset: raw.offset,
            key: raw.key ? raw.key.toString('utf8') : null,
            // The subscriber opted in: its element type includes null.
            value: null as T,
            schemaId: 0,
            schema: '',
            headers,
            timestamp: Number(raw.timestamp),
          };
          return { ok: true, raw, offset: raw.offset, message };
        }
        try {
          const decoded = await this.options.serde.decode<T>(raw.value, this.options.readerSchema);
          const eventId = headerId ?? eventIdOf(decoded.value) ?? `${ctx.topic}:${ctx.partition}:${raw.offset}`;
          return {
            ok: true,
            raw,
            offset: raw.offset,
            message: {
              eventId,
              topic: ctx.topic,
              partition: ctx.partition,
              offset: raw.offset,
              key: raw.key ? raw.key.toString('utf8') : null,
              value: decoded.value,
              schemaId: decoded.schemaId,
              schema: decoded.fullName,
              headers,
              timestamp: Number(raw.timestamp),
            },
          };
        } catch (err) {
          if (isRegistryOutage(err)) throw new RegistryUnavailable(err);
          const code = (err as { code?: unknown }).code;
          return {
            ok: false,
            raw,
            offset: raw.offset,
            reason: typeof code === 'string' && code ? code : DeadLetterReason.undecodable,
            detail: errorMessage(err),
            eventId: headerId,
            headers,
          };
        }
      }),
    );
  }

  private async runWithRetries(ctx: PartitionContext, entries: Array<Entry<T>>, maxAttempts: number): Promise<void> {
    const { retry, logger, metrics, groupId } = this.options;
    const labels = { group: groupId, topic: ctx.topic };
    let failures = 0;
    let conflicts = 0;
    let outages = 0;
    for (;;) {
      if (!ctx.isActive()) throw new ProcessingAbandoned();
      try {
        await this.commit(ctx, entries, failures + 1, { kind: 'handle' });
        return;
      } catch (err) {
        const handlerFault = err instanceof HandlerFailure;
        const kind = classifyFailure(err);
        const where = { ...labels, partition: ctx.partition, firstOffset: entries[0].offset, size: entries.length, err: errorMessage(err) };
        if (kind === 'conflict' && conflicts < retry.maxConflictRetries) {
          conflicts++;
          metrics.retries.inc({ ...labels, kind: 'conflict' });
          logger.debug(where, 'transaction conflict; running the batch again');
          continue;
        }
        if (kind === 'unavailable' || !handlerFault) {
          // Not the messages' fault (database unreachable, runtime tables broken, dead letter
          // unencodable): wait and retry for as long as it takes; dead-lettering would lose data.
          outages++;
          metrics.retries.inc({ ...labels, kind: 'unavailable' });
          logger[outages >= 3 ? 'error' : 'warn']({ ...where, outages }, 'batch could not be committed; retrying');
          await this.pause(ctx, backoffDelay(retry, outages));
          continue;
        }
        failures++;
        metrics.retries.inc({ ...labels, kind: 'failure' });
        if (failures < maxAttempts) {
          logger.warn({ ...where, attempt: failures }, 'batch handler failed; retrying');
          await this.pause(ctx, backoffDelay(retry, failures));
          continue;
        }
        if (entries.length > 1) {
          logger.warn({ ...where, attempts: failures }, 'batch keeps failing; splitting it to isolate the failing message');
          const [left, right] = splitRange(entries);
          // Halves get one attempt each; a single message gets the full budget before it is dead-lettered.
          await this.runWithRetries(ctx, left, left.length === 1 ? retry.maxAttempts : 1);
          await this.runWithRetries(ctx, right, right.length === 1 ? retry.maxAttempts : 1);
          return;
        }
        logger.error({ ...where, attempts: failures }, 'message failed on every attempt; dead-lettering it');
        await this.deadLetterWithRetries(ctx, entries, DeadLetterReason.retriesExhausted, errorMessage((err as HandlerFailure).cause ?? err), failures);
        return;
      }
    }
  }

  private async deadLetterWithRetries(ctx: PartitionContext, entries: Array<Entry<T>>, reason: string, detail: string, attempts: number): Promise<void> {
    let outages = 0;
    for (;;) {
      if (!ctx.isActive()) throw new ProcessingAbandoned();
      try {
        await this.commit(ctx, entries, attempts, { kind: 'dead-letter', reason, detail, attempts });
        return;
      } catch (err) {
        outages++;
        this.options.metrics.retries.inc({ group: this.options.groupId, topic: ctx.topic, kind: 'unavailable' });
        this.options.logger.error({ topic: ctx.topic, partition: ctx.partition, err: errorMessage(err), outages }, 'dead letter could not be committed; retrying');
        await this.pause(ctx, backoffDelay(this.options.retry, outages));
      }
    }
  }

  private async pause(ctx: PartitionContext, ms: number): Promise<void> {
    const controller = new AbortController();
    const check = setInterval(() => {
      if (!ctx.isActive()) controller.abort();
      else ctx.heartbeat().catch(() => undefined);
    }, Math.min(ms, 1000));
    try {
      await sleep(ms, controller.signal);
    } finally {
      clearInterval(check);
    }
  }

  private async commit(ctx: PartitionContext, entries: Array<Entry<T>>, attempt: number, mode: Mode): Promise<CommitSummary> {
    const { groupId, metrics, logger } = this.options;
    const labels = { group: groupId, topic: ctx.topic };
    const stopTimer = metrics.batchDuration.startTimer(labels);
    const heartbeat = setInterval(() => {
      ctx.heartbeat().catch((err: unknown) => logger.debug({ err: errorMessage(err) }, 'heartbeat during batch failed'));
    }, this.options.heartbeatIntervalMs ?? 3000);
    let outboxRows = 0;
    try {
      const summary = await this.options.transactionRunner(async (tx) => {
        const stored = await this.lockPosition(tx, ctx, entries[0].offset);
        const pending = unappliedMessages(entries, stored);
        const nextOffset = nextOffsetAfter(entries);
        const summary: CommitSummary = { applied: 0, duplicates: 0, alreadyApplied: entries.length - pending.length, dropped: 0, deadLettered: 0, nextOffset };
        if (pending.length === 0) return summary;

        const fresh = await this.dedupe(tx, ctx, pending);
        summary.duplicates = pending.filter((e) => e.ok).length - fresh.length;
        const deadLetters: EncodedRecord[] = [];
        const emitted: OutgoingEvent[] = [];
        const deadLetter = async (entry: Entry<T>, reason: string, detail: string, attempts: number) => {
          deadLetters.push(await this.encodeDeadLetter(ctx, entry, reason, detail, attempts));
          metrics.deadLettered.inc({ ...labels, reason });
          summary.deadLettered++;
        };

        for (const entry of pending) {
          if (entry.ok) continue;
          if (entry.reason === 'TOMBSTONE') {
            summary.dropped++;
            continue;
          }
          await deadLetter(entry, entry.reason, entry.detail, 1);
        }

        if (mode.kind === 'dead-letter') {
          for (const entry of fresh) await deadLetter(entry, mode.reason, mode.detail, mode.attempts);
        } else if (fresh.length > 0) {
          const messages = fresh.map((e) => e.message);
          let encoded: EncodedRecord[];
          try {
            const result = await this.options.handler({
              groupId,
              topic: ctx.topic,
              partition: ctx.partition,
              messages,
              tx,
              attempt,
              emit: (...events) => {
                emitted.push(...events);
              },
              heartbeat: () => ctx.heartbeat(),
            });
            const verdicts = partitionResults(messages, result);
            if (verdicts.retry.length > 0) {
              throw new KafkaRuntimeError(
                'KAFKA_RETRY_REQUESTED',
                `Handler asked to retry ${verdicts.retry.length} message(s): ${verdicts.retry.map((r) => `${r.message.eventId} (${r.reason})`).join(', ')}`,
              );
            }
            encoded = await encodeEvents(this.options.serde, emitted, this.options.topicPrefix);
            summary.applied = verdicts.applied.length;
            summary.dropped += verdicts.dropped.length;
            for (const d of verdicts.dropped) logger.info({ ...labels, eventId: d.message.eventId, reason: d.reason }, 'message dropped by handler');
            const byId = new Map(fresh.map((e) => [e.message.eventId, e]));
            for (const d of verdicts.deadLettered) {
              await deadLetter(byId.get(d.message.eventId)!, d.reason || DeadLetterReason.handlerRejected, d.detail ?? d.reason, attempt);
            }
          } catch (err) {
            throw new HandlerFailure(err);
          }
          deadLetters.push(...encoded);
        }

        outboxRows = deadLetters.length;
        await insertOutbox(tx, this.options.schema, deadLetters);
        await tx.query(
          `UPDATE ${this.schemaSql}.consumer_offsets SET next_offset = GREATEST(next_offset, $4::bigint), updated_at = now()
           WHERE group_id = $1 AND topic = $2 AND partition = $3`,
          [groupId, ctx.topic, ctx.partition, nextOffset],
        );
        return summary;
      });
      stopTimer();
      metrics.batches.inc(labels);
      const count = (outcome: string, n: number) => n > 0 && metrics.messages.inc({ ...labels, outcome }, n);
      count('applied', summary.applied);
      count('duplicate', summary.duplicates);
      count('already_applied', summary.alreadyApplied);
      count('dropped', summary.dropped);
      count('dead_lettered', summary.deadLettered);
      if (outboxRows > 0) this.options.onOutboxWrite?.();
      return summary;
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * Locks this partition's offset row for the transaction (creating it at the batch's first offset
   * if the group never committed here) and returns the stored position. The lock serializes two
   * consumers that both believe they own the partition around a rebalance.
   */
  private async lockPosition(tx: SqlExecutor, ctx: PartitionContext, firstOffset: string): Promise<string> {
    const [row] = await tx.query<{ next_offset: string }>(
      `INSERT INTO ${this.schemaSql}.consumer_offsets AS o (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, $4::bigint)
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = o.next_offset
       RETURNING next_offset::text AS next_offset`,
      [this.options.groupId, ctx.topic, ctx.partition, firstOffset],
    );
    return String(row.next_offset);
  }

  /** Records the event ids as processed and returns the entries seen for the first time (first occurrence wins). */
  private async dedupe(tx: SqlExecutor, ctx: PartitionContext, pending: Array<Entry<T>>): Promise<Array<Extract<Entry<T>, { ok: true }>>> {
    const decoded = pending.filter((e): e is Extract<Entry<T>, { ok: true }> => e.ok);
    if (decoded.length === 0) return [];
    const rows = await tx.query<{ event_id: string }>(
      `INSERT INTO ${this.schemaSql}.processed_events (group_id, topic, partition, event_id, "offset")
       SELECT $1, $2, $3, u.event_id, u.off FROM unnest($4::text[], $5::bigint[]) AS u(event_id, off)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [this.options.groupId, ctx.topic, ctx.partition, decoded.map((e) => e.message.eventId), decoded.map((e) => e.offset)],
    );
    const firstSeen = new Set(rows.map((r) => r.event_id));
    const fresh: Array<Extract<Entry<T>, { ok: true }>> = [];
    for (const entry of decoded) {
      if (firstSeen.delete(entry.message.eventId)) fresh.push(entry);
    }
    return fresh;
  }

  private async encodeDeadLetter(ctx: PartitionContext, entry: Entry<T>, reason: string, detail: string, attempts: number): Promise<EncodedRecord> {
    const record = buildDeadLetter({
      reason,
      message: detail,
      value: entry.raw.value,
      key: entry.raw.key,
      headers: entry.ok ? entry.message.headers : entry.headers,
      source: { topic: ctx.topic, partition: ctx.partition, offset: entry.offset, groupId: this.options.groupId },
      attempts,
      eventId: entry.ok ? entry.message.eventId : entry.eventId,
      producer: this.options.producerName,
      occurredAt: this.now(),
    });
    const [encoded] = await encodeEvents(
      this.options.serde,
      [{ topic: resolveTopic(this.options.deadLetterTopic), key: entry.raw.key ? entry.raw.key.toString('utf8') : null, schema: DEAD_LETTER_SCHEMA, value: record, eventId: record.id }],
      this.options.topicPrefix,
    );
    return encoded;
  }
}
