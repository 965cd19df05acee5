import type { EncodedRecord } from './event-producer';
import { errorMessage } from './errors';
import type { StringHeaders } from './headers';
import { createConsoleLogger, type Logger } from './logger';
import { KafkaRuntimeMetrics } from './metrics';
import { backoffDelay, retryPolicy, sleep, type RetryPolicy } from './retry-policy';
import { quoteIdent, type SqlExecutor, type TransactionRunner } from './sql';

/**
 * Writes encoded events into the outbox inside the caller's transaction: one statement for all rows.
 * The values travel as one binary parameter (the driver sends a Buffer as bytes) cut into rows by
 * offset and length, rather than as a bytea[] literal, which the driver would spell out in hex.
 */
export async function insertOutbox(tx: SqlExecutor, schema: string, records: readonly EncodedRecord[]): Promise<void> {
  if (records.length === 0) return;
  const offsets: Array<number | null> = [];
  const lengths: Array<number | null> = [];
  let offset = 1;
  const values: Buffer[] = [];
  for (const r of records) {
    if (r.value === null) {
      // A tombstone: substring of NULL is NULL.
      offsets.push(null);
      lengths.push(null);
      continue;
    }
    offsets.push(offset);
    lengths.push(r.value.length);
    offset += r.value.length;
    values.push(r.value);
  }
  await tx.query(
    `INSERT INTO ${quoteIdent(schema)}.outbox (event_id, topic, key, value, headers)
     SELECT u.event_id, u.topic, u.key, substring($4::bytea FROM u.off FOR u.len), u.headers
     FROM unnest($1::text[], $2::text[], $3::text[], $5::int[], $6::int[], $7::jsonb[]) AS u(event_id, topic, key, off, len, headers)`,
    [
      records.map((r) => r.eventId),
      records.map((r) => r.topic),
      records.map((r) => r.key),
      Buffer.concat(values),
      offsets,
      lengths,
      records.map((r) => JSON.stringify(r.headers)),
    ],
  );
}

/** The slice of EventProducer the relay uses. */
export interface RecordSender {
  sendEncoded(records: readonly EncodedRecord[]): Promise<unknown>;
}

export interface OutboxRelayOptions {
  transactionRunner: TransactionRunner;
  schema: string;
  producer: RecordSender;
  logger?: Logger;
  metrics?: KafkaRuntimeMetrics;
  /** Rows published per transaction (default 1000). */
  batchSize?: number;
  /** Idle polling period; a nudge after a commit wakes the relay at once (default 1000 ms). */
  pollIntervalMs?: number;
  /**
   * Published outbox rows are kept this long, then pruned (default 7 days). 0 deletes each row as soon
   * as Kafka acknowledged it: cheaper for high-volume outboxes (a delete writes far less than
   * rewriting the row to mark it), and Kafka holds the published events anyway.
   */
  outboxRetentionMs?: number;
  /**
   * Dedupe window: processed event ids older than this are pruned (default 7 days). A duplicate
   * delivered later than this would be applied again, so keep it above any replay horizon.
   */
  processedEventsRetentionMs?: number;
  pruneIntervalMs?: number;
  lagIntervalMs?: number;
  retry?: Partial<RetryPolicy>;
}

interface OutboxRow {
  id: string;
  event_id: string;
  topic: string;
  key: string | null;
  /** Null: a tombstone. */
  value: Buffer | null;
  headers: StringHeaders | string;
}

const DAY_MS = 86_400_000;
const PRUNE_CHUNK = 5000;

/**
 * Publishes outbox rows in id order. Each round runs in one transaction that first takes a
 * transaction-scoped advisory lock for the schema, so with several relays (one per service
 * instance) exactly one publishes at a time and per-key order is kept; the others stand by and
 * take over if it dies. Rows are marked published only after Kafka acknowledged them: a crash in
 * between publishes them again, which consumers absorb by deduping on `cdp-event-id`.
 */
export class OutboxRelay {
  private readonly schemaSql: string;
  private readonly logger: Logger;
  private readonly metrics: KafkaRuntimeMetrics;
  private readonly policy: RetryPolicy;
  private readonly batchSize: number;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private nudged = false;
  private readonly stopSignal = new AbortController();
  /** Set once stop()'s drain deadline passed: no round starts after it. */
  private pastDrainDeadline = false;
  private stopped?: Promise<void>;
  private lastPrune = 0;
  private lastLag = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.schemaSql = quoteIdent(options.schema);
    this.logger = options.logger ?? createConsoleLogger();
    this.metrics = options.metrics ?? KafkaRuntimeMetrics.for();
    this.policy = retryPolicy({ maxDelayMs: 5000, ...options.retry });
    this.batchSize = options.batchSize ?? 1000;
  }

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Wake the relay now (called after a transaction that wrote to the outbox committed). */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /**
   * Stops the loop; resolves once the relay no longer uses the database or the producer. With
   * `drainWithinMs`, it then publishes what is still pending (what the last consumed batches
   * emitted), starting no round after that deadline. A round under way always ends first
   * (published and marked, or rolled back), within the producer's own timeouts and retries:
   * resolving earlier would leave a transaction open under a pool the caller is about to close.
   * Later calls share the first call's shutdown.
   */
  stop(drainWithinMs?: number): Promise<void> {
    this.stopped ??= this.shutdown(drainWithinMs);
    return this.stopped;
  }

  /** One round: publishes up to batchSize pending rows; returns how many (0 when another relay leads). */
  async publishPending(): Promise<number> {
    return this.options.transactionRunner(async (tx) => {
      const [lock] = await tx.query<{ leader: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('cdp.outbox'), hashtext($1)) AS leader`, [
        this.options.schema,
      ]);
      if (!lock?.leader) return 0;
      const rows = await tx.query<OutboxRow>(
        `SELECT id, event_id, topic, key, value, headers FROM ${this.schemaSql}.outbox
         WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      await this.options.producer.sendEncoded(
        rows.map((r) => ({
          eventId: r.event_id,
          topic: r.topic,
          key: r.key,
          value: r.value,
          headers: typeof r.headers === 'string' ? (JSON.parse(r.headers) as StringHeaders) : r.headers,
        })),
      );
      if (this.options.outboxRetentionMs === 0) {
        await tx.query(`DELETE FROM ${this.schemaSql}.outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      } else {
        await tx.query(`UPDATE ${this.schemaSql}.outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      }
      return rows.length;
    }).then((n) => {
      if (n > 0) this.metrics.outboxPublished.inc({ schema: this.options.schema }, n);
      return n;
    });
  }

  /** Publishes until nothing is pending (or another relay leads, or stop()'s deadline passed). */
  async drain(): Promise<number> {
    let total = 0;
    while (!this.pastDrainDeadline) {
      const n = await this.publishPending();
      total += n;
      if (n < this.batchSize) break;
    }
    return total;
  }

  /** Deletes published outbox rows and processed event ids past their retention, in chunks. */
  async prune(): Promise<{ outbox: number; processedEvents: number }> {
    const outboxMs = this.options.outboxRetentionMs ?? 7 * DAY_MS;
    const processedMs = this.options.processedEventsRetentionMs ?? 7 * DAY_MS;
    const outbox = await this.deleteInChunks(
      `WITH d AS (DELETE FROM ${this.schemaSql}.outbox WHERE id IN (
         SELECT id FROM ${this.schemaSql}.outbox
         WHERE published_at IS NOT NULL AND published_at < now() - $1 * interval '1 millisecond' LIMIT ${PRUNE_CHUNK})
       RETURNING 1) SELECT count(*)::int AS n FROM d`,
      outboxMs,
    );
    const processedEvents = await this.deleteInChunks(
      `WITH d AS (DELETE FROM ${this.schemaSql}.processed_events WHERE ctid IN (
         SELECT ctid FROM ${this.schemaSql}.processed_events
         WHERE processed_at < now() - $1 * interval '1 millisecond' LIMIT ${PRUNE_CHUNK})
       RETURNING 1) SELECT count(*)::int AS n FROM d`,
      processedMs,
    );
    return { outbox, processedEvents };
  }

  /** Refreshes the pending-rows and lag gauges. */
  async measureLag(): Promise<{ pending: number; lagSeconds: number }> {
    const [row] = await this.options.transactionRunner((tx) =>
      tx.query<{ pending: number; lag: number }>(
        `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS lag
         FROM ${this.schemaSql}.outbox WHERE published_at IS NULL`,
      ),
    );
    const result = { pending: Number(row?.pending ?? 0), lagSeconds: Number(row?.lag ?? 0) };
    this.metrics.outboxPending.set({ schema: this.options.schema }, result.pending);
    this.metrics.outboxLagSeconds.set({ schema: this.options.schema }, result.lagSeconds);
    return result;
  }

  private async deleteInChunks(sql: string, retentionMs: number): Promise<number> {
    let total = 0;
    for (;;) {
      const [row] = await this.options.transactionRunner((tx) => tx.query<{ n: number }>(sql, [retentionMs]));
      const n = Number(row?.n ?? 0);
      total += n;
      if (n < PRUNE_CHUNK) return total;
    }
  }

  private async shutdown(drainWithinMs: number | undefined): Promise<void> {
    if (!this.loop) return;
    this.running = false;
    this.stopSignal.abort();
    this.wake?.();
    if (drainWithinMs === undefined) {
      await this.loop;
      return;
    }
    const deadline = setTimeout(() => {
      this.pastDrainDeadline = true;
    }, drainWithinMs);
    try {
      await this.loop;
      const published = await this.drain();
      if (published > 0) this.logger.info({ schema: this.options.schema, published }, 'outbox drained before shutdown');
    } catch (err) {
      // The rows are durable in the outbox; whichever relay leads next publishes them.
      this.logger.warn({ schema: this.options.schema, err: errorMessage(err) }, 'outbox not fully drained at shutdown; rows stay pending');
    } finally {
      clearTimeout(deadline);
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let published = 0;
      try {
        this.nudged = false;
        published = await this.publishPending();
        failures = 0;
        await this.housekeeping();
      } catch (err) {
        failures++;
        this.logger.warn({ err: errorMessage(err), schema: this.options.schema, failures }, 'outbox relay round failed; retrying');
        await sleep(backoffDelay(this.policy, failures), this.stopSignal.signal);
        continue;
      }
      if (published >= this.batchSize || this.nudged) continue;
      await this.idle(this.options.pollIntervalMs ?? 1000);
    }
  }

  private async housekeeping(): Promise<void> {
    const now = Date.now();
    if (now - this.lastLag >= (this.options.lagIntervalMs ?? 5000)) {
      this.lastLag = now;
      await this.measureLag();
    }
    if (now - this.lastPrune >= (this.options.pruneIntervalMs ?? 600_000)) {
      this.lastPrune = now;
      const pruned = await this.prune();
      if (pruned.outbox || pruned.processedEvents) this.logger.info({ schema: this.options.schema, ...pruned }, 'pruned runtime tables');
    }
  }

  private idle(ms: number): Promise<void> {
    // stop() may have run while a round was in flight, when there was no idle wait to wake.
    if (!this.running) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).then(() => {
      this.wake = undefined;
    });
  }
}
