// Suite `identity`: identity resolution of a retailer's traffic (mostly anonymous browsing, some
// logged-in traffic, a few percent of events that link or merge profiles), through the service's
// resolver and the shared runtime: the batch consumer (one Postgres transaction per batch: advisory
// locks, graph reads, set-based writes, dedupe, offsets, outbox) and the outbox relay publishing every
// resolved event and merge to Kafka. One instance, all 12 partitions.
// - identity.events_per_s: events from the consumer joining until every offset is committed and the
//   outbox is empty (every resolved event is on Kafka).
// - identity.p99_batch_ms: 99th percentile of the batch transactions' duration (handler, dedupe,
//   offsets and outbox insert, up to COMMIT).
// Environment: BENCH_IDENTITY_EVENTS (default 100,000), BENCH_IDENTITY_MAX_BATCH (messages per
// transaction, 1000), BENCH_IDENTITY_CONCURRENCY (partitions consumed concurrently, 1).
import { AsyncLocalStorage } from 'node:async_hooks';
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { loadConfig } from '@cdp/config';
import { ingestedEventKey, type IngestedEvent, TOPICS } from '@cdp/contracts';
import {
  BatchConsumer,
  createConsoleLogger,
  createKafka,
  ensureTopics,
  EventProducer,
  OutboxRelay,
  pgTransactionRunner,
  quoteIdent,
  subscribe,
  type TransactionRunner,
} from '@cdp/kafka';
import { BlindIndex, DataKeyStore, KeyRing } from '@cdp/security';
import { createRootLogger, migrateService } from '@cdp/service-kit';
import type { Admin } from 'kafkajs';
import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { IdentifierVault } from '../../services/identity/src/application/identifier-vault';
import { IdentityResolver } from '../../services/identity/src/application/identity-resolver';
import { IdentityMetrics } from '../../services/identity/src/application/identity.metrics';
import { identityConfig } from '../../services/identity/src/config';
import { identityService } from '../../services/identity/src/identity.definition';
import { GraphRepository } from '../../services/identity/src/persistence/graph.repository';
import { RulesRepository } from '../../services/identity/src/persistence/rules.repository';
import type { BenchContext, BenchResult } from '../lib/bench-types';
import { identityTraffic } from '../lib/identity-events';
import { median, round } from '../lib/stats';

const SCHEMA = 'bench_identity';
const TOPIC_PREFIX_ROOT = 'bench-identity-';

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const total = Number(process.env.BENCH_IDENTITY_EVENTS ?? 100_000);
  const maxBatchSize = Number(process.env.BENCH_IDENTITY_MAX_BATCH ?? 1000);
  const partitionsConsumedConcurrently = Number(process.env.BENCH_IDENTITY_CONCURRENCY ?? 1);
  const traffic = identityTraffic(total);
  const logger = createConsoleLogger('warn', { bench: 'identity' });
  const kafka = createKafka({ brokers: ctx.kafkaBrokers, clientId: 'cdp-bench-identity', logger });
  const admin = kafka.admin();
  await admin.connect();
  const serde = new AvroSerde(new InRepoSchemaRegistry());
  const config = loadConfig(identityConfig, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: ctx.benchDatabaseUrl,
    DATABASE_SCHEMA: SCHEMA,
    KAFKA_BROKERS: ctx.kafkaBrokers.join(','),
  });
  const pool = new Pool({ connectionString: ctx.benchDatabaseUrl, max: 6 });
  const rates: number[] = [];
  const p99s: number[] = [];
  const repetitions: Array<Record<string, unknown>> = [];

  try {
    await deleteBenchTopics(admin);
    const runPrefix = `${TOPIC_PREFIX_ROOT}${Date.now().toString(36)}.`;
    await ensureTopics(admin, [TOPICS.ingestEvents, TOPICS.ingestDeadLetter, TOPICS.identityResolvedEvents, TOPICS.identityProfileMerged, TOPICS.identityMergeCapped], runPrefix);
    const producer = new EventProducer(kafka, { serde, topicPrefix: runPrefix, logger });
    await producer.connect();
    for (let i = 0; i < traffic.events.length; i += 1000) {
      await producer.send(
        traffic.events.slice(i, i + 1000).map((value) => ({ topic: TOPICS.ingestEvents, key: ingestedEventKey(value), schema: 'cdp.ingest.IngestedEvent', value })),
      );
    }
    await producer.disconnect();
    ctx.log(`identity: produced ${total} events (${JSON.stringify(traffic.counts)})`);

    for (let rep = 0; rep < ctx.repetitions; rep++) {
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(SCHEMA)} CASCADE`);
      await migrateService(identityService, config, createRootLogger({ service: 'identity', version: 'bench', level: 'warn' }));
      const sample = await resolveOnce(ctx, { kafka, pool, serde, config, runPrefix, rep, total, maxBatchSize, partitionsConsumedConcurrently, logger });
      rates.push(sample.eventsPerSecond);
      p99s.push(sample.p99);
      repetitions.push(sample);
      ctx.log(`identity #${rep + 1}: ${total} events in ${sample.seconds} s (${Math.round(sample.eventsPerSecond)}/s), batch p99 ${sample.p99} ms`);
    }
  } finally {
    await deleteBenchTopics(admin).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
  }

  const details = {
    machine: ctx.machine,
    events: total,
    visitors: traffic.visitors,
    mix: traffic.counts,
    maxBatchSize,
    partitionsConsumedConcurrently,
    partitions: TOPICS.ingestEvents.partitions,
    instances: 1,
    repetitions,
  };
  return [
    { suite: 'identity', metric: 'identity.events_per_s', value: round(median(rates)), unit: 'events/s', higherIsBetter: true, details: { ...details, samples: rates.map((r) => round(r)) } },
    { suite: 'identity', metric: 'identity.p99_batch_ms', value: round(median(p99s)), unit: 'ms', higherIsBetter: false, details: { ...details, samples: p99s } },
  ];
}

interface RunSetup {
  kafka: ReturnType<typeof createKafka>;
  pool: Pool;
  serde: AvroSerde;
  config: ReturnType<typeof identityConfig.parse>;
  runPrefix: string;
  rep: number;
  total: number;
  maxBatchSize: number;
  partitionsConsumedConcurrently: number;
  logger: ReturnType<typeof createConsoleLogger>;
}

async function resolveOnce(ctx: BenchContext, setup: RunSetup) {
  const { kafka, pool, serde, config, runPrefix, rep, total, logger } = setup;
  const registry = new Registry();
  const vault = new IdentifierVault(new BlindIndex(config.security.blindIndexKey), new DataKeyStore({ schema: SCHEMA, keyRing: KeyRing.fromConfig(config.security.masterKeys) }));
  const resolver = new IdentityResolver(new RulesRepository(config), new GraphRepository(SCHEMA), vault, new IdentityMetrics(registry));

  // Times the transactions that ran the handler (the consumer also reads stored offsets in short ones).
  const batch = new AsyncLocalStorage<{ handled: number }>();
  const durations: number[] = [];
  const sizes: number[] = [];
  const runner = pgTransactionRunner(pool);
  const timed: TransactionRunner = (work) => {
    const mark = { handled: 0 };
    const started = process.hrtime.bigint();
    return batch.run(mark, () =>
      runner(work).then((result) => {
        if (mark.handled > 0) {
          durations.push(Number(process.hrtime.bigint() - started) / 1e6);
          sizes.push(mark.handled);
        }
        return result;
      }),
    );
  };
  const relayProducer = new EventProducer(kafka, { topicPrefix: runPrefix, logger });
  await relayProducer.connect();
  // The service's own outbox tuning (rows deleted once published), as the running service uses it.
  const relay = new OutboxRelay({ ...identityService.kafka?.outbox, transactionRunner: runner, schema: SCHEMA, producer: relayProducer, logger, batchSize: 1000, pollIntervalMs: 50 });
  const consumer = new BatchConsumer({
    kafka,
    groupId: `bench-identity-${rep}`,
    topicPrefix: runPrefix,
    subscriptions: [
      subscribe<IngestedEvent>(TOPICS.ingestEvents, (b) => {
        const mark = batch.getStore();
        if (mark) mark.handled += b.messages.length;
        return resolver.resolve(b);
      }),
    ],
    serde,
    transactionRunner: timed,
    schema: SCHEMA,
    logger,
    registry,
    maxBatchSize: setup.maxBatchSize,
    partitionsConsumedConcurrently: setup.partitionsConsumedConcurrently,
    maxWaitTimeMs: 100,
    onOutboxWrite: () => relay.nudge(),
  });
  let joinedAt: bigint | undefined;
  consumer.unwrap().on(consumer.unwrap().events.GROUP_JOIN, () => {
    joinedAt ??= process.hrtime.bigint();
  });
  relay.start();
  await consumer.start();
  const topic = `${runPrefix}${TOPICS.ingestEvents.name}`;
  const deadline = Date.now() + 900_000;
  let consumedAt: bigint | undefined;
  for (;;) {
    const { rows } = await pool.query<{ committed: string; pending: string }>(
      `SELECT (SELECT COALESCE(sum(next_offset), 0) FROM ${quoteIdent(SCHEMA)}.consumer_offsets WHERE topic = $1)::text AS committed,
              (SELECT count(*) FROM ${quoteIdent(SCHEMA)}.outbox WHERE published_at IS NULL)::text AS pending`,
      [topic],
    );
    if (Number(rows[0].committed) >= total) consumedAt ??= process.hrtime.bigint();
    if (consumedAt && Number(rows[0].pending) === 0) break;
    if (Date.now() > deadline) throw new Error(`identity bench did not finish within 15 minutes (${rows[0].committed} committed, ${rows[0].pending} pending)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const finishedAt = process.hrtime.bigint();
  await consumer.stop();
  await relay.stop();
  await relayProducer.disconnect();

  const { rows: graph } = await pool.query<{ kind: string; n: string }>(`SELECT kind, count(*)::text AS n FROM ${quoteIdent(SCHEMA)}.graph_log GROUP BY kind ORDER BY kind`);
  const { rows: profiles } = await pool.query<{ live: string }>(`SELECT count(*) FILTER (WHERE status = 'live')::text AS live FROM ${quoteIdent(SCHEMA)}.profiles`);
  const seconds = Number(finishedAt - joinedAt!) / 1e9;
  const sorted = [...durations].sort((a, b) => a - b);
  const q = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)], 1);
  ctx.log(`identity #${rep + 1}: graph ${graph.map((g) => `${g.kind}=${g.n}`).join(' ')}`);
  return {
    seconds: round(seconds, 2),
    eventsPerSecond: total / seconds,
    consumeSeconds: round(Number(consumedAt! - joinedAt!) / 1e9, 2),
    batches: durations.length,
    meanBatchSize: round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length)),
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    maxBatchMs: round(sorted[sorted.length - 1] ?? 0, 1),
    graph: Object.fromEntries(graph.map((g) => [g.kind, Number(g.n)])),
    liveProfiles: Number(profiles[0].live),
  };
}

async function deleteBenchTopics(admin: Admin): Promise<void> {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(TOPIC_PREFIX_ROOT));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
}
