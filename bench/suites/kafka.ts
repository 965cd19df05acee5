// Suite `kafka`: raw throughput of Avro events through the shared runtime, the baseline later
// suites are compared with.
// - kafka.produce_events_per_s: CDNOW purchases as Segment `Order Completed` events, Avro-encoded
//   by the shared serde and produced by the shared idempotent producer (acks -1) in batches.
// - kafka.consume_events_per_s: the shared batch consumer decoding them and committing offsets and
//   processed event ids to Postgres per batch, with a handler that does nothing.
// Environment: BENCH_KAFKA_EVENTS (default: every CDNOW purchase, 69,659), BENCH_KAFKA_PRODUCE_BATCH
// (records per send, 1000), BENCH_KAFKA_MAX_BATCH (messages per transaction, 1000),
// BENCH_KAFKA_CONCURRENCY (partitions consumed concurrently, 1: the runtime's default).
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { type IngestedEvent, TOPICS } from '@cdp/contracts';
import {
  BatchConsumer,
  createConsoleLogger,
  createKafka,
  ensureRuntimeTables,
  ensureTopics,
  EventProducer,
  type Logger,
  pgTransactionRunner,
  quoteIdent,
  subscribe,
} from '@cdp/kafka';
import type { Admin, Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import type { BenchContext, BenchResult } from '../lib/bench-types';
import { type CdnowPurchase, purchaseEvent, readCdnow, syntheticPurchases } from '../lib/cdnow-events';
import { median, round } from '../lib/stats';

const SCHEMA = 'bench_kafka';
const TOPIC_PREFIX_ROOT = 'bench-';
const INGESTED = 'cdp.ingest.IngestedEvent';

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const dataset = readCdnow(ctx.datasetsDir);
  const events = Number(process.env.BENCH_KAFKA_EVENTS ?? dataset?.length ?? 50_000);
  const purchases = dataset ?? syntheticPurchases(events);
  const produceBatch = Number(process.env.BENCH_KAFKA_PRODUCE_BATCH ?? 1000);
  const consumerSettings = {
    maxBatchSize: Number(process.env.BENCH_KAFKA_MAX_BATCH ?? 1000),
    partitionsConsumedConcurrently: Number(process.env.BENCH_KAFKA_CONCURRENCY ?? 1),
  };
  const partitions = TOPICS.ingestEvents.partitions;
  const runPrefix = `${TOPIC_PREFIX_ROOT}${Date.now().toString(36)}.`;
  const logger = createConsoleLogger('warn', { bench: 'kafka' });
  const kafka = createKafka({ brokers: ctx.kafkaBrokers, clientId: 'cdp-bench', logger });
  const admin = kafka.admin();
  await admin.connect();
  const pool = new Pool({ connectionString: ctx.benchDatabaseUrl, max: 8 });
  const serde = new AvroSerde(new InRepoSchemaRegistry());
  await serde.prepare(INGESTED);

  try {
    await deleteBenchTopics(admin);
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(SCHEMA)} CASCADE`);
    await ensureRuntimeTables(pool, SCHEMA);
    const postgres = (await pool.query<{ v: string }>('SHOW server_version')).rows[0].v;
    const source = Array.from({ length: events }, (_, i) => purchases[i % purchases.length]);
    const sized = source.slice(0, 1000);
    let totalBytes = 0;
    for (const [i, p] of sized.entries()) totalBytes += (await serde.encode(INGESTED, purchaseEvent(p, i, 'size'))).length;
    const avgEventBytes = Math.round(totalBytes / sized.length);

    // Produce: each repetition writes the whole sample to a fresh topic.
    const { rates: produceRates, seconds: produceSeconds } = await measureProduce(ctx, { kafka, admin, serde, logger, source, produceBatch, runPrefix });

    // Consume: each repetition reads the first produced topic with a new group and empty runtime tables.
    const consumeRates: number[] = [];
    const consumeSeconds: number[] = [];
    const topicPrefix = `${runPrefix}p0.`;
    const topic = `${topicPrefix}${TOPICS.ingestEvents.name}`;
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      await pool.query(`TRUNCATE ${quoteIdent(SCHEMA)}.consumer_offsets, ${quoteIdent(SCHEMA)}.processed_events, ${quoteIdent(SCHEMA)}.outbox`);
      const consumer = new BatchConsumer({
        ...consumerSettings,
        kafka,
        groupId: `consume-${rep}`,
        topicPrefix,
        subscriptions: [subscribe<IngestedEvent>(TOPICS.ingestEvents, async () => undefined)],
        serde,
        transactionRunner: pgTransactionRunner(pool),
        schema: SCHEMA,
        logger,
        registry: new Registry(),
        maxWaitTimeMs: 100,
      });
      let joinedAt: bigint | undefined;
      consumer.unwrap().on(consumer.unwrap().events.GROUP_JOIN, () => {
        joinedAt ??= process.hrtime.bigint();
      });
      await consumer.start();
      await waitUntilCommitted(pool, consumer.groupId, topic, events);
      const seconds = Number(process.hrtime.bigint() - joinedAt!) / 1e9;
      await consumer.stop();
      await admin.deleteGroups([consumer.groupId]).catch(() => undefined);
      consumeSeconds.push(seconds);
      consumeRates.push(events / seconds);
      ctx.log(`kafka consume #${rep + 1}: ${events} events in ${seconds.toFixed(2)} s (${Math.round(events / seconds)}/s)`);
    }

    const common = {
      machine: ctx.machine,
      dataset: dataset ? 'cdnow_master.txt (Order Completed per purchase)' : 'synthetic CDNOW-shaped purchases',
      events,
      avgEventBytes,
      partitions,
      repetitions: ctx.repetitions,
      brokers: ctx.kafkaBrokers.length,
      postgres,
    };
    return [
      {
        suite: 'kafka',
        metric: 'kafka.produce_events_per_s',
        value: round(median(produceRates)),
        unit: 'events/s',
        higherIsBetter: true,
        details: {
          ...common,
          produceBatchSize: produceBatch,
          producer: 'idempotent, acks -1, maxInFlightRequests 1, no compression; Avro encoding included',
          samplesEventsPerS: produceRates.map((r) => round(r)),
          samplesSeconds: produceSeconds.map((s) => round(s, 3)),
        },
      },
      {
        suite: 'kafka',
        metric: 'kafka.consume_events_per_s',
        value: round(median(consumeRates)),
        unit: 'events/s',
        higherIsBetter: true,
        details: {
          ...common,
          ...consumerSettings,
          consumer: 'BatchConsumer: Avro decode, processed_events dedupe and offsets in one Postgres transaction per batch, no-op handler; timed from group join to the last commit',
          samplesEventsPerS: consumeRates.map((r) => round(r)),
          samplesSeconds: consumeSeconds.map((s) => round(s, 3)),
        },
      },
    ];
  } finally {
    await deleteBenchTopics(admin).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
  }
}

export interface ProduceSetup {
  kafka: Kafka;
  admin: Admin;
  serde: AvroSerde;
  logger: Logger;
  source: readonly CdnowPurchase[];
  produceBatch: number;
  /** Topic prefix root of this run; each repetition writes to `<runPrefix>p<rep>.`. */
  runPrefix: string;
}

/**
 * kafka.produce_events_per_s, one sample per repetition: exported so that suites comparing
 * themselves with the raw producer (ingestion) measure it in their own run, on the same machine state.
 */
export async function measureProduce(ctx: BenchContext, setup: ProduceSetup): Promise<{ rates: number[]; seconds: number[] }> {
  const { kafka, admin, serde, logger, source, produceBatch, runPrefix } = setup;
  const events = source.length;
  const rates: number[] = [];
  const seconds: number[] = [];
  for (let rep = 0; rep < ctx.repetitions; rep++) {
    const prefix = `${runPrefix}p${rep}.`;
    await ensureTopics(admin, [TOPICS.ingestEvents], prefix);
    const batch: IngestedEvent[] = source.map((p, i) => purchaseEvent(p, i, `${runPrefix}${rep}`));
    const producer = new EventProducer(kafka, { serde, topicPrefix: prefix, logger, metrics: undefined });
    await producer.connect();
    const started = process.hrtime.bigint();
    for (let i = 0; i < batch.length; i += produceBatch) {
      await producer.send(batch.slice(i, i + produceBatch).map((value) => ({ topic: TOPICS.ingestEvents, key: value.anonymousId, schema: INGESTED, value })));
    }
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    await producer.disconnect();
    seconds.push(elapsed);
    rates.push(events / elapsed);
    ctx.log(`kafka produce #${rep + 1}: ${events} events in ${elapsed.toFixed(2)} s (${Math.round(events / elapsed)}/s)`);
  }
  return { rates, seconds };
}

async function deleteBenchTopics(admin: Admin): Promise<void> {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(TOPIC_PREFIX_ROOT));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
}

async function waitUntilCommitted(pool: Pool, groupId: string, topic: string, expected: number): Promise<void> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT COALESCE(sum(next_offset), 0)::text AS n FROM ${quoteIdent(SCHEMA)}.consumer_offsets WHERE group_id = $1 AND topic = $2`,
      [groupId, topic],
    );
    if (Number(rows[0].n) >= expected) return;
    if (Date.now() > deadline) throw new Error(`consumer committed ${rows[0].n} of ${expected} events in 10 minutes`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
