// Suite `analytics`: the behavioural history sink, Kafka to embedded ClickHouse.
// - analytics.sink_events_per_s (times of a live stream) and analytics.backfill_events_per_s (CDNOW's own
//   dates, 18 months): resolved events (each CDNOW purchase as an Order Completed with its
//   product line, plus BENCH_ANALYTICS_BROWSE page views and Product Viewed tracks before it) already
//   on a resolved-events topic, consumed by the analytics service's history consumer: Avro decode,
//   dedupe and offsets in Postgres, PII scrubbing, one JSONCompactEachRow insert per batch and table into
//   embedded ClickHouse (chdb). Timed from the first committed batch to the last, so the service's
//   start and group join are left out. Goal: 50,000 events/s.
// - analytics.sink_tuned_events_per_s: the same sink code (HistorySink) and live times on a batch
//   consumer in the bench process with HISTORY_CONSUMER_TUNING (10,000 messages per transaction, 3
//   partitions at a time; BENCH_ANALYTICS_TUNED_BATCH / _CONCURRENCY override), which the service kit
//   on this branch does not let a service choose: what the transport's defaults cost.
// The service runs as a child process from source, with its own schema in the bench database, its
// own topic prefix and a fresh ClickHouse data directory per repetition; its CPU per event comes
// from /proc.
// Environment: BENCH_ANALYTICS_BROWSE (browsing events per purchase, default 3), BENCH_ANALYTICS_EVENTS
// (cap on events per repetition, default all), BENCH_ANALYTICS_MODES (live,backfill,tuned), BENCH_DATASETS_DIR (where cdnow_master.txt is, when
// not in ../shared/datasets), BENCH_ANALYTICS_CPU_PROF (a directory: the service writes a V8 CPU profile there when it stops).
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { TOPICS, type IngestedEvent, type ResolvedEvent } from '@cdp/contracts';
import { createClickHouse, runClickHouseMigrations } from '@cdp/clickhouse';
import {
  BatchConsumer,
  createConsoleLogger,
  createKafka,
  ensureRuntimeTables,
  ensureTopics,
  EventProducer,
  pgTransactionRunner,
  quoteIdent,
  subscribe,
} from '@cdp/kafka';
import { Registry } from 'prom-client';
import { HISTORY_CONSUMER_TUNING } from '../../services/analytics/src/consumers/history.consumer';
import { HistorySink } from '../../services/analytics/src/history/history-sink';
import { SinkMetrics } from '../../services/analytics/src/history/sink.metrics';
import { CLICKHOUSE_MIGRATIONS_DIR } from '../../services/analytics/src/persistence/clickhouse-migrations';
import type { Admin } from 'kafkajs';
import { Pool } from 'pg';
import type { BenchContext, BenchResult } from '../lib/bench-types';
import { type CdnowPurchase, purchaseEvent, readCdnow, syntheticPurchases } from '../lib/cdnow-events';
import { median, round } from '../lib/stats';

const ROOT = resolve(__dirname, '../..');
// The service's migrations create its runtime tables in the "analytics" schema; cdp_bench is the bench's own database.
const SCHEMA = 'analytics';
const TOPIC_ROOT = 'bench-analytics-';
const API_TOKEN = 'bench-analytics-api-token';
const GROUP = 'analytics-history';
const RESOLVED = 'cdp.identity.ResolvedEvent';
const GOAL = 50_000;

function uuidFrom(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-b${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const BROWSER_CONTEXT = {
  library: { name: 'analytics.js', version: '4.1.0' },
  locale: 'en-US',
  userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
};

/** A page view or Product Viewed of the customer in the hour before purchase `index`. */
function browseEvent(purchase: IngestedEvent, index: number, step: number, salt: string): IngestedEvent {
  const timestamp = purchase.timestamp - (step + 1) * 7 * 60_000;
  const page = step % 2 === 0;
  return {
    ...purchase,
    messageId: uuidFrom(`${salt}:${index}:${step}`),
    type: page ? 'page' : 'track',
    event: page ? null : 'Product Viewed',
    name: page ? 'Catalogue' : null,
    timestamp,
    originalTimestamp: timestamp - 120,
    sentAt: timestamp + 800,
    receivedAt: timestamp + 850,
    context: JSON.stringify({ ...BROWSER_CONTEXT, ip: `198.51.100.${index % 255}`, page: { path: '/catalogue', url: `https://cdnow.example/catalogue?p=${step}` } }),
    properties: page
      ? JSON.stringify({ path: '/catalogue', title: 'CDs', url: `https://cdnow.example/catalogue?p=${step}` })
      : JSON.stringify({ sku: `CD-${(index * 31 + step) % 9973}`, name: 'Compact disc', category: 'Music', price: 12.99 }),
    commerce: page
      ? null
      : { orderId: null, revenue: null, currency: 'USD', discount: null, tax: null, shipping: null, coupon: null, storeId: null, products: [{ sku: `CD-${(index * 31 + step) % 9973}`, productId: null, name: 'Compact disc', category: 'Music', brand: null, price: 12.99, quantity: 1, variant: null }] },
  };
}

/** What identity emits for an ingested event: its profile, the identifiers it matched on. */
function resolved(event: IngestedEvent, customerId: string): ResolvedEvent {
  return {
    id: event.messageId,
    type: 'EventResolved',
    occurredAt: event.timestamp,
    data: {
      profileId: uuidFrom(`profile:${customerId}`),
      profileCreated: false,
      identifiers: [
        { type: 'user_id', value: event.userId ?? '' },
        { type: 'anonymous_id', value: event.anonymousId ?? '' },
      ],
      event,
    },
    metadata: { correlationId: event.messageId, causationId: event.messageId, producer: 'identity', schemaVersion: 1 },
  };
}

/**
 * How event times are set: `backfill` keeps CDNOW's dates (18 months, so each batch of a
 * customer-ordered partition spans most of them, and every insert writes a part per month touched),
 * `live` moves them into the last hours, in the same order, as a stream arriving now would be (a part
 * per insert and table).
 */
export type TimeMode = 'live' | 'backfill';
/** `tuned`: live times, the same sink code, on a batch consumer with larger batches and partitions in parallel. */
export type Mode = TimeMode | 'tuned';

function retimed(event: IngestedEvent, timestamp: number): IngestedEvent {
  return { ...event, timestamp, originalTimestamp: timestamp - 120, sentAt: timestamp + 800, receivedAt: timestamp + 850 };
}

function* resolvedEvents(purchases: readonly CdnowPurchase[], browse: number, salt: string, limit: number, mode: TimeMode): Generator<ResolvedEvent> {
  let produced = 0;
  // Live: 10 ms apart, ending now.
  const liveStart = Date.now() - Math.min(limit, purchases.length * (1 + browse)) * 10;
  const time = (event: IngestedEvent) => (mode === 'live' ? retimed(event, liveStart + produced * 10) : event);
  for (const [index, p] of purchases.entries()) {
    const purchase = purchaseEvent(p, index, salt);
    for (let step = browse - 1; step >= 0; step--) {
      if (produced >= limit) return;
      const event = time(browseEvent(purchase, index, step, salt));
      produced++;
      yield resolved(event, p.customerId);
    }
    if (produced >= limit) return;
    const event = time(purchase);
    produced++;
    yield resolved(event, p.customerId);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

function serviceProcess(args: string[], env: NodeJS.ProcessEnv, nodeFlags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, '-r', '@swc-node/register', join(ROOT, 'services/analytics/src/main.ts'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** CPU seconds (user + system) of a process so far, from /proc (Linux). */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function deleteTopics(admin: Admin, root: string): Promise<void> {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(root));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
}

/**
 * Where the service's time went, from its /metrics: seconds and count of each sink step and table,
 * and of the batch transactions (which include the sink's work).
 */
async function timeSpent(port: number): Promise<Record<string, { seconds: number; count: number }>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, { seconds: number; count: number }> = {};
  for (const line of text.split('\n')) {
    const m = /^(cdp_analytics_sink_seconds|cdp_kafka_batch_duration_seconds)_(sum|count)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[3].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (labels.topic !== undefined && !labels.topic.endsWith('resolved-events')) continue;
    const key = m[1] === 'cdp_kafka_batch_duration_seconds' ? 'batch transaction' : `${labels.step} ${labels.table}`;
    out[key] ??= { seconds: 0, count: 0 };
    if (m[2] === 'sum') out[key].seconds = round(Number(m[4]), 3);
    else out[key].count = Number(m[4]);
  }
  return out;
}

async function committed(pool: Pool, group: string, topic: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT COALESCE(sum(next_offset), 0)::text AS n FROM ${quoteIdent(SCHEMA)}.consumer_offsets WHERE group_id = $1 AND topic = $2`,
    [group, topic],
  );
  return Number(rows[0].n);
}

interface Sample {
  rate: number;
  seconds: number;
  cpuUsPerEvent: number | undefined;
  spent: Record<string, { seconds: number; count: number }>;
  avgEventBytes: number;
}

interface Setup {
  ctx: BenchContext;
  kafka: ReturnType<typeof createKafka>;
  admin: Admin;
  pool: Pool;
  serde: AvroSerde;
  logger: ReturnType<typeof createConsoleLogger>;
  purchases: readonly CdnowPurchase[];
  browse: number;
  events: number;
  runId: string;
  /** What the finally block of run() must stop and remove. */
  running: { child?: ChildProcess; dataDir?: string };
}

/** The events of one repetition on fresh topics under `prefix`; returns their average Avro size. */
async function produceEvents(setup: Setup, mode: TimeMode, rep: number, prefix: string): Promise<number> {
  const { kafka, admin, serde, logger, purchases, browse, events, runId } = setup;
  await ensureTopics(admin, [TOPICS.identityResolvedEvents, TOPICS.identityProfileMerged], prefix);
  const producer = new EventProducer(kafka, { serde, topicPrefix: prefix, logger });
  await producer.connect();
  let batch: ResolvedEvent[] = [];
  let bytes = 0;
  let sized = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await producer.send(batch.map((value) => ({ topic: TOPICS.identityResolvedEvents, key: value.data.profileId, schema: RESOLVED, value })));
    batch = [];
  };
  for (const event of resolvedEvents(purchases, browse, `${runId}:${mode}:${rep}`, events, mode)) {
    if (sized < 1000) {
      bytes += serde.encodeKnown(RESOLVED, event).length;
      sized++;
    }
    batch.push(event);
    if (batch.length === 1000) await flush();
  }
  await flush();
  await producer.disconnect();
  return Math.round(bytes / sized);
}

/** One repetition: the events on a fresh topic, a fresh service and ClickHouse directory, the sink timed. */
async function measure(setup: Setup, mode: TimeMode, rep: number): Promise<Sample> {
  const { ctx, admin, pool, events, runId, running } = setup;
  const prefix = `${TOPIC_ROOT}${runId}-${mode}-${rep}.`;
  const topic = `${prefix}${TOPICS.identityResolvedEvents.name}`;
  const avgEventBytes = await produceEvents(setup, mode, rep, prefix);

  await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(SCHEMA)} CASCADE`);
  const dataDir = (running.dataDir = join(ROOT, '.data', 'bench', `analytics-${runId}-${mode}-${rep}`));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: ctx.benchDatabaseUrl,
    DATABASE_SCHEMA: SCHEMA,
    KAFKA_BROKERS: ctx.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    CLICKHOUSE_DATA_DIR: dataDir,
    ANALYTICS_API_TOKEN: API_TOKEN,
  };
  const migrate = serviceProcess(['migrate'], env);
  const [code] = (await once(migrate, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`analytics migrations exited with ${code}`);

  const profileDir = process.env.BENCH_ANALYTICS_CPU_PROF;
  const child = (running.child = serviceProcess(['serve'], env, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []));
  const group = `${prefix}${GROUP}`;
  let first: { at: bigint; done: number; cpu: number | undefined } | undefined;
  let progress = { done: 0, at: Date.now() };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the analytics service exited with ${child.exitCode}`);
    const done = await committed(pool, group, topic).catch(() => 0);
    if (first === undefined && done > 0) first = { at: process.hrtime.bigint(), done, cpu: cpuSecondsOf(child.pid) };
    if (done >= events) break;
    if (done > progress.done) progress = { done, at: Date.now() };
    else if (Date.now() - progress.at > 120_000) throw new Error(`the sink committed nothing for 2 minutes (${done} of ${events} events)`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = Number(process.hrtime.bigint() - first!.at) / 1e9;
  const cpuAfter = cpuSecondsOf(child.pid);
  const measured = events - first!.done;

  // The history is there, once: what an analyst counts.
  const res = await fetch(`http://127.0.0.1:${port}/v1/sql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql: 'SELECT count() AS n FROM customer_events' }),
  });
  if (res.status !== 200) throw new Error(`POST /v1/sql answered ${res.status}: ${await res.text()}`);
  const stored = Number(((await res.json()) as { rows: Array<{ n: string }> }).rows[0].n);
  if (stored !== events) throw new Error(`ClickHouse holds ${stored} events, ${events} were produced`);
  const spent = await timeSpent(port);

  child.kill('SIGTERM');
  await once(child, 'exit');
  running.child = undefined;
  rmSync(dataDir, { recursive: true, force: true });
  running.dataDir = undefined;
  await deleteTopics(admin, prefix);

  const sample: Sample = {
    rate: measured / seconds,
    seconds,
    cpuUsPerEvent: first!.cpu !== undefined && cpuAfter !== undefined ? ((cpuAfter - first!.cpu) * 1e6) / measured : undefined,
    spent,
    avgEventBytes,
  };
  ctx.log(`analytics ${mode} #${rep + 1}: time by step ${JSON.stringify(spent)}`);
  ctx.log(
    `analytics ${mode} #${rep + 1}: ${measured} events in ${seconds.toFixed(2)} s (${Math.round(sample.rate)}/s, service CPU ${sample.cpuUsPerEvent?.toFixed(1) ?? '?'} us/event)`,
  );
  return sample;
}

/**
 * The sink's own code (HistorySink) on a BatchConsumer tuned the way the service kit cannot be yet:
 * BENCH_ANALYTICS_TUNED_BATCH messages per transaction (10,000) and BENCH_ANALYTICS_TUNED_CONCURRENCY
 * partitions at a time (3), in this process; what the transport's defaults cost, next to `live`.
 */
async function measureTuned(setup: Setup, rep: number): Promise<Sample & { maxBatchSize: number; partitionsConsumedConcurrently: number }> {
  const { ctx, kafka, serde, logger, events, runId, running } = setup;
  const maxBatchSize = Number(process.env.BENCH_ANALYTICS_TUNED_BATCH ?? HISTORY_CONSUMER_TUNING.maxBatchSize);
  const partitionsConsumedConcurrently = Number(process.env.BENCH_ANALYTICS_TUNED_CONCURRENCY ?? HISTORY_CONSUMER_TUNING.partitionsConsumedConcurrently);
  const prefix = `${TOPIC_ROOT}${runId}-tuned-${rep}.`;
  const topic = `${prefix}${TOPICS.identityResolvedEvents.name}`;
  const avgEventBytes = await produceEvents(setup, 'live', rep, prefix);
  const pool = new Pool({ connectionString: ctx.benchDatabaseUrl, max: partitionsConsumedConcurrently + 2 });
  const dataDir = (running.dataDir = join(ROOT, '.data', 'bench', `analytics-${runId}-tuned-${rep}`));
  const clickhouse = await createClickHouse({ dataDir, database: 'cdp' });
  try {
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(SCHEMA)} CASCADE`);
    await ensureRuntimeTables(pool, SCHEMA);
    await runClickHouseMigrations(clickhouse, CLICKHOUSE_MIGRATIONS_DIR);
    const registry = new Registry();
    const sink = new HistorySink(clickhouse, new SinkMetrics(registry));
    const consumer = new BatchConsumer({
      kafka,
      groupId: GROUP,
      topicPrefix: prefix,
      subscriptions: [subscribe<ResolvedEvent>(TOPICS.identityResolvedEvents, (batch) => sink.recordEvents(batch.messages.map((m) => m.value)))],
      serde,
      transactionRunner: pgTransactionRunner(pool),
      schema: SCHEMA,
      logger,
      registry,
      maxBatchSize,
      partitionsConsumedConcurrently,
      maxBytesPerPartition: HISTORY_CONSUMER_TUNING.maxBytesPerPartition,
      maxWaitTimeMs: 100,
    });
    await consumer.start();
    let first: { at: bigint; done: number; cpu: NodeJS.CpuUsage } | undefined;
    let progress = { done: 0, at: Date.now() };
    for (;;) {
      const done = await committed(pool, consumer.groupId, topic).catch(() => 0);
      if (first === undefined && done > 0) first = { at: process.hrtime.bigint(), done, cpu: process.cpuUsage() };
      if (done >= events) break;
      if (done > progress.done) progress = { done, at: Date.now() };
      else if (Date.now() - progress.at > 120_000) throw new Error(`the tuned sink committed nothing for 2 minutes (${done} of ${events} events)`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = Number(process.hrtime.bigint() - first!.at) / 1e9;
    const cpu = process.cpuUsage(first!.cpu);
    await consumer.stop();
    const measured = events - first!.done;
    const [row] = await (await clickhouse.client.query({ query: 'SELECT toString(count()) AS n FROM cdp.customer_events', format: 'JSONEachRow' })).json<{ n: string }>();
    if (Number(row!.n) !== events) throw new Error(`ClickHouse holds ${row!.n} events, ${events} were produced`);
    const spent: Sample['spent'] = {};
    for (const metric of await registry.getMetricsAsJSON()) {
      if (metric.name !== 'cdp_analytics_sink_seconds') continue;
      for (const value of (metric as { values: Array<{ metricName?: string; labels: Record<string, string>; value: number }> }).values) {
        const key = `${value.labels.step} ${value.labels.table}`;
        spent[key] ??= { seconds: 0, count: 0 };
        if (value.metricName?.endsWith('_sum')) spent[key].seconds = round(value.value, 3);
        if (value.metricName?.endsWith('_count')) spent[key].count = value.value;
      }
    }
    const sample = {
      rate: measured / seconds,
      seconds,
      cpuUsPerEvent: (cpu.user + cpu.system) / measured,
      spent,
      avgEventBytes,
      maxBatchSize,
      partitionsConsumedConcurrently,
    };
    ctx.log(`analytics tuned #${rep + 1}: time by step ${JSON.stringify(spent)}`);
    ctx.log(`analytics tuned #${rep + 1}: ${measured} events in ${seconds.toFixed(2)} s (${Math.round(sample.rate)}/s, CPU ${sample.cpuUsPerEvent.toFixed(1)} us/event)`);
    return sample;
  } finally {
    await clickhouse.close();
    await pool.end();
    rmSync(dataDir, { recursive: true, force: true });
    running.dataDir = undefined;
    await deleteTopics(setup.admin, prefix);
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const datasetsDir = process.env.BENCH_DATASETS_DIR ?? ctx.datasetsDir;
  const dataset = readCdnow(datasetsDir);
  const purchases = dataset ?? syntheticPurchases(69_659);
  const browse = Number(process.env.BENCH_ANALYTICS_BROWSE ?? 3);
  const limit = Number(process.env.BENCH_ANALYTICS_EVENTS ?? Number.MAX_SAFE_INTEGER);
  const modes = (process.env.BENCH_ANALYTICS_MODES ?? 'live,backfill,tuned').split(',').map((m) => m.trim()) as Mode[];
  const logger = createConsoleLogger('warn', { bench: 'analytics' });
  const kafka = createKafka({ brokers: ctx.kafkaBrokers, clientId: 'cdp-bench-analytics', logger });
  const admin = kafka.admin();
  await admin.connect();
  const pool = new Pool({ connectionString: ctx.benchDatabaseUrl, max: 2 });
  const serde = new AvroSerde(new InRepoSchemaRegistry());
  await serde.prepare(RESOLVED);
  const running: Setup['running'] = {};
  const setup: Setup = {
    ctx,
    kafka,
    admin,
    pool,
    serde,
    logger,
    purchases,
    browse,
    events: Math.min(limit, purchases.length * (1 + browse)),
    runId: Date.now().toString(36),
    running,
  };

  try {
    await deleteTopics(admin, TOPIC_ROOT);
    const postgres = (await pool.query<{ v: string }>('SHOW server_version')).rows[0].v;
    const results: BenchResult[] = [];
    for (const mode of modes) {
      if (mode !== 'live' && mode !== 'backfill' && mode !== 'tuned') throw new Error(`BENCH_ANALYTICS_MODES: unknown mode ${String(mode)}`);
      const samples: Array<Sample & { maxBatchSize?: number; partitionsConsumedConcurrently?: number }> = [];
      for (let rep = 0; rep < ctx.repetitions; rep++) samples.push(mode === 'tuned' ? await measureTuned(setup, rep) : await measure(setup, mode, rep));
      const cpu = samples.map((s) => s.cpuUsPerEvent).filter((c): c is number => c !== undefined);
      const metric = { live: 'analytics.sink_events_per_s', backfill: 'analytics.backfill_events_per_s', tuned: 'analytics.sink_tuned_events_per_s' }[mode];
      results.push({
        suite: 'analytics',
        metric,
        value: round(median(samples.map((s) => s.rate))),
        unit: 'events/s',
        higherIsBetter: true,
        details: {
          machine: ctx.machine,
          goal: GOAL,
          dataset: dataset
            ? `cdnow_master.txt: per purchase an Order Completed (one product line) after ${browse} browsing events (page views and Product Viewed tracks, one product line)`
            : 'synthetic CDNOW-shaped purchases',
          times:
            mode === 'backfill'
              ? "CDNOW's own dates, 1997-01 to 1998-06 (a history backfill: each batch touches most of the 18 month partitions)"
              : 'moved into the last hours, 10 ms apart, in the dataset order (a stream arriving now: one month partition per insert)',
          events: setup.events,
          avgEventBytes: samples[0]!.avgEventBytes,
          partitions: TOPICS.identityResolvedEvents.partitions,
          service:
            mode === 'tuned'
              ? `HistorySink in the bench process on a BatchConsumer with ${samples[0]!.maxBatchSize} messages per transaction and ${samples[0]!.partitionsConsumedConcurrently} partitions at a time (settings the service kit does not expose yet); Kafka, Postgres and embedded ClickHouse on the same machine`
              : "one analytics process from source (@swc-node/register), NODE_ENV development, LOG_LEVEL warn; the kit's batch transport defaults (1000 messages per transaction, one partition at a time); Kafka, Postgres and embedded ClickHouse on the same machine",
          timed: 'from the first batch committed in Postgres to the last; service start and group join excluded',
          repetitions: ctx.repetitions,
          samplesEventsPerS: samples.map((s) => round(s.rate)),
          samplesSeconds: samples.map((s) => round(s.seconds, 3)),
          serviceCpuUsPerEvent: cpu.length > 0 ? round(median(cpu)) : 'not measured (no /proc)',
          serviceCpuUsPerEventSamples: cpu.map((us) => round(us)),
          secondsByStep: samples.map((s) => s.spent),
          postgres,
        },
      });
    }
    return results;
  } finally {
    if (running.child && running.child.exitCode === null) {
      running.child.kill('SIGTERM');
      await once(running.child, 'exit');
    }
    if (running.dataDir) rmSync(running.dataDir, { recursive: true, force: true });
    await deleteTopics(admin, TOPIC_ROOT).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
  }
}
