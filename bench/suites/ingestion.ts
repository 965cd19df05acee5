// Suite `ingestion`: the Segment HTTP API end to end (HTTP, auth, normalising, Avro, messageId
// dedupe in Postgres, Kafka acks all), against the raw producer of suite `kafka` in the same run.
// - ingestion.batch_events_per_s: POST /v1/batch of 100 CDNOW-based calls (Order Completed tracks,
//   pages, identifies), BENCH_INGESTION_CONCURRENCY requests in flight on keep-alive connections.
// - ingestion.ratio_to_raw_producer: that figure over kafka.produce_events_per_s measured just before.
// - ingestion.import_rows_per_s: cdnow_master.txt streamed to POST /v1/imports with the POS receipts
//   mapping (omitted without the dataset).
// - ingestion.p99_ms_at_5k_eps: open loop, 50 batches of 100 per second; latency from each request's
//   scheduled start, so a slow answer also delays the figure of the requests queued behind it.
// The service runs as a child process from source (its own event loop, as in production), with its
// own schema in the bench database and its own topic prefix.
// Environment: BENCH_INGESTION_EVENTS (per repetition, default 100,000), BENCH_INGESTION_CONCURRENCY
// (12), BENCH_INGESTION_OPEN_LOOP_S (20), BENCH_INGESTION_CPU_PROF (a directory: the service writes a
// V8 CPU profile there when it stops).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { createConsoleLogger, createKafka, quoteIdent } from '@cdp/kafka';
import type { Admin } from 'kafkajs';
import { Pool } from 'pg';
import type { BenchContext, BenchResult } from '../lib/bench-types';
import { type CdnowPurchase, readCdnow, syntheticPurchases } from '../lib/cdnow-events';
import { segmentCall } from '../lib/segment-calls';
import { median, round } from '../lib/stats';
import { measureProduce } from './kafka';

const ROOT = resolve(__dirname, '../..');
const SCHEMA = 'bench_ingestion';
const TOPIC_ROOT = 'bench-ingestion-';
const ADMIN_TOKEN = 'bench-ingestion-admin-token';
const BATCH_SIZE = 100;
const OPEN_LOOP_REQUESTS_PER_S = 50;

interface Answer {
  status: number;
  body: string;
}

/** POSTs over one keep-alive agent; the answer body is read in full, as a client library would. */
function post(agent: Agent, url: URL, path: string, headers: Record<string, string>, body: Buffer | string): Promise<Answer> {
  return new Promise((resolvePost, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePost({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
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
  return spawn(process.execPath, [...nodeFlags, '-r', '@swc-node/register', join(ROOT, 'services/ingestion/src/main.ts'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function waitReady(url: URL, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ingestion service exited with ${child.exitCode} while starting`);
    const ok = await fetch(new URL('/health/ready', url)).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error('the ingestion service was not ready within 2 minutes');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The request bodies of one repetition, built (and serialised) before the clock starts. */
function batchBodies(purchases: readonly CdnowPurchase[], events: number, salt: string): Buffer[] {
  const bodies: Buffer[] = [];
  const now = Date.now();
  for (let start = 0; start < events; start += BATCH_SIZE) {
    const batch = [];
    for (let i = start; i < Math.min(events, start + BATCH_SIZE); i++) batch.push(segmentCall(purchases[i % purchases.length], i, salt, now));
    bodies.push(Buffer.from(JSON.stringify({ batch, sentAt: new Date(now).toISOString() })));
  }
  return bodies;
}

function checkAnswer(answer: Answer): number {
  if (answer.status !== 200) throw new Error(`POST /v1/batch answered ${answer.status}: ${answer.body.slice(0, 500)}`);
  return (JSON.parse(answer.body) as { rejected: unknown[] }).rejected.length;
}

/** Closed loop: `concurrency` requests in flight until every body was sent. */
async function closedLoop(agent: Agent, url: URL, auth: Record<string, string>, bodies: readonly Buffer[], concurrency: number): Promise<{ seconds: number; rejected: number }> {
  let next = 0;
  let rejected = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        rejected += checkAnswer(await post(agent, url, '/v1/batch', auth, body));
      }
    }),
  );
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, rejected };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Open loop: requests start on schedule whatever the answers do; latency counts from the schedule. */
async function openLoop(agent: Agent, url: URL, auth: Record<string, string>, bodies: readonly Buffer[]): Promise<number[]> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const intervalMs = 1000 / OPEN_LOOP_REQUESTS_PER_S;
  const start = performance.now();
  for (let i = 0; i < bodies.length; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      post(agent, url, '/v1/batch', auth, bodies[i]).then((answer) => {
        checkAnswer(answer);
        latencies.push(performance.now() - due);
      }),
    );
  }
  await Promise.all(pending);
  return latencies.sort((a, b) => a - b);
}

/**
 * CPU seconds (user + system) the service process has used so far, from /proc (Linux): throughput
 * swings with whatever else the shared machine runs, CPU per event much less.
 */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux); after
  // "pid (comm) " they are the 12th and 13th.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface ImportJob {
  status: string;
  rows: { read: number; accepted: number; rejected: number; duplicates: number };
}

/** Streams a file to POST /v1/imports (raw body, mapping in its header) and waits for the job's answer. */
function importFile(agent: Agent, url: URL, auth: Record<string, string>, file: string, mapping: string, fileId: string): Promise<ImportJob> {
  return new Promise((resolveImport, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: '/v1/imports',
        method: 'POST',
        headers: {
          ...auth,
          'content-type': 'text/plain',
          'content-length': String(statSync(file).size),
          'x-import-mapping': Buffer.from(mapping).toString('base64'),
          'x-import-file-id': fileId,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`POST /v1/imports answered ${res.statusCode}: ${body.slice(0, 500)}`));
          else resolveImport(JSON.parse(body) as ImportJob);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    createReadStream(file).on('error', reject).pipe(req);
  });
}

async function deleteTopics(admin: Admin, root: string): Promise<void> {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(root));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const dataset = readCdnow(ctx.datasetsDir);
  const purchases = dataset ?? syntheticPurchases(69_659);
  const events = Number(process.env.BENCH_INGESTION_EVENTS ?? 100_000);
  const concurrency = Number(process.env.BENCH_INGESTION_CONCURRENCY ?? 12);
  const openLoopSeconds = Number(process.env.BENCH_INGESTION_OPEN_LOOP_S ?? 20);
  const cpuProfileDir = process.env.BENCH_INGESTION_CPU_PROF;
  const runId = Date.now().toString(36);
  const topicPrefix = `${TOPIC_ROOT}${runId}.`;

  const logger = createConsoleLogger('warn', { bench: 'ingestion' });
  const kafka = createKafka({ brokers: ctx.kafkaBrokers, clientId: 'cdp-bench-ingestion', logger });
  const admin = kafka.admin();
  await admin.connect();
  const pool = new Pool({ connectionString: ctx.benchDatabaseUrl, max: 2 });
  let child: ChildProcess | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    await deleteTopics(admin, TOPIC_ROOT);
    await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(SCHEMA)} CASCADE`);
    const postgres = (await pool.query<{ v: string }>('SHOW server_version')).rows[0].v;

    // The raw producer first, on the same machine state, with the CDNOW purchases as Avro events.
    const serde = new AvroSerde(new InRepoSchemaRegistry());
    await serde.prepare('cdp.ingest.IngestedEvent');
    const produce = await measureProduce(ctx, { kafka, admin, serde, logger, source: purchases, produceBatch: 1000, runPrefix: `${TOPIC_ROOT}${runId}-raw.` });
    const rawProducerRate = median(produce.rates);
    await deleteTopics(admin, `${TOPIC_ROOT}${runId}-raw.`);

    const port = await freePort();
    const url = new URL(`http://127.0.0.1:${port}`);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: ctx.benchDatabaseUrl,
      DATABASE_SCHEMA: SCHEMA,
      KAFKA_BROKERS: ctx.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      CDP_BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
      // The bench measures the pipeline, not the (default 10,000/s) rate limit.
      INGESTION_DEFAULT_RATE_LIMIT: '10000000',
    };
    const migrate = serviceProcess(['migrate'], env);
    const [code] = (await once(migrate, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`ingestion migrations exited with ${code}`);
    child = serviceProcess(['serve'], env, cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : []);
    await waitReady(url, child);

    const created = await fetch(new URL('/v1/sources', url), {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'CDNOW web shop', channel: 'web', defaultPhoneRegion: 'US', timezone: 'America/New_York' }),
    });
    if (created.status !== 201) throw new Error(`POST /v1/sources answered ${created.status}: ${await created.text()}`);
    const { writeKey } = (await created.json()) as { writeKey: string };
    const auth = { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` };

    // Warm-up (JIT, connection pools, producer metadata): not measured.
    const warm = await closedLoop(agent, url, auth, batchBodies(purchases, 20_000, `${runId}:warm`), concurrency);
    if (warm.rejected > 0) throw new Error(`${warm.rejected} warm-up event(s) were rejected: the bench's calls must all be valid`);

    const rates: number[] = [];
    const samplesSeconds: number[] = [];
    const cpuUsPerEvent: number[] = [];
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      const bodies = batchBodies(purchases, events, `${runId}:${rep}`);
      const cpuBefore = cpuSecondsOf(child.pid);
      const { seconds, rejected } = await closedLoop(agent, url, auth, bodies, concurrency);
      const cpuAfter = cpuSecondsOf(child.pid);
      if (cpuBefore !== undefined && cpuAfter !== undefined) cpuUsPerEvent.push(((cpuAfter - cpuBefore) * 1e6) / events);
      if (rejected > 0) throw new Error(`${rejected} event(s) were rejected in repetition ${rep + 1}`);
      rates.push(events / seconds);
      samplesSeconds.push(seconds);
      ctx.log(`ingestion batch #${rep + 1}: ${events} events in ${seconds.toFixed(2)} s (${Math.round(events / seconds)}/s, service CPU ${cpuUsPerEvent.at(-1)?.toFixed(1) ?? '?'} us/event)`);
    }
    const batchRate = median(rates);

    // File imports: the CDNOW export as POS receipts, a new file id per repetition so nothing is deduplicated.
    const cdnowFile = join(ctx.datasetsDir, 'cdnow_master.txt');
    const mappingFile = join(ROOT, 'services/ingestion/imports/cdnow-pos-receipts.mapping.json');
    const importRates: number[] = [];
    const importJobs: ImportJob[] = [];
    if (existsSync(cdnowFile) && existsSync(mappingFile)) {
      const mapping = readFileSync(mappingFile, 'utf8');
      for (let rep = 0; rep < ctx.repetitions; rep++) {
        const started = process.hrtime.bigint();
        const job = await importFile(agent, url, auth, cdnowFile, mapping, `bench-${runId}-${rep}`);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (job.status !== 'completed') throw new Error(`import #${rep + 1} ended ${job.status}: ${JSON.stringify(job)}`);
        importJobs.push(job);
        importRates.push(job.rows.read / seconds);
        ctx.log(`ingestion import #${rep + 1}: ${job.rows.read} rows (${job.rows.accepted} accepted) in ${seconds.toFixed(2)} s (${Math.round(job.rows.read / seconds)}/s)`);
      }
    }

    const openBodies = batchBodies(purchases, openLoopSeconds * OPEN_LOOP_REQUESTS_PER_S * BATCH_SIZE, `${runId}:open`);
    const latencies = await openLoop(agent, url, auth, openBodies);
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    const p99 = percentile(latencies, 99);
    ctx.log(`ingestion open loop at 5,000 events/s: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);

    const common = {
      machine: ctx.machine,
      dataset: dataset ? 'cdnow_master.txt: Order Completed tracks, with every 10th call a page and every 10th an identify' : 'synthetic CDNOW-shaped purchases',
      eventsPerRequest: BATCH_SIZE,
      avgRequestBytes: Math.round(openBodies.reduce((n, b) => n + b.length, 0) / openBodies.length),
      service: 'one ingestion process from source (@swc-node/register), NODE_ENV development, LOG_LEVEL warn; client, Kafka and Postgres on the same machine',
      postgres,
    };
    return [
      {
        suite: 'ingestion',
        metric: 'ingestion.batch_events_per_s',
        value: round(batchRate),
        unit: 'events/s',
        higherIsBetter: true,
        details: {
          ...common,
          events,
          concurrency,
          http: 'node:http Agent, keep-alive, one connection per request in flight',
          acks: 'all (answer after Kafka acknowledged; messageIds claimed in Postgres)',
          repetitions: ctx.repetitions,
          warmUpEvents: 20_000,
          samplesEventsPerS: rates.map((r) => round(r)),
          samplesSeconds: samplesSeconds.map((s) => round(s, 3)),
          serviceCpuUsPerEvent: cpuUsPerEvent.length > 0 ? round(median(cpuUsPerEvent)) : 'not measured (no /proc)',
          serviceCpuUsPerEventSamples: cpuUsPerEvent.map((us) => round(us)),
        },
      },
      {
        suite: 'ingestion',
        metric: 'ingestion.ratio_to_raw_producer',
        value: round(batchRate / rawProducerRate, 3),
        unit: 'ratio',
        higherIsBetter: true,
        details: {
          ...common,
          batchEventsPerS: round(batchRate),
          rawProducerEventsPerS: round(rawProducerRate),
          rawProducer: 'kafka.produce_events_per_s measured in this run (bench/suites/kafka.ts measureProduce: shared idempotent producer, acks -1, 1000 events per send)',
          rawProducerEvents: purchases.length,
          rawProducerSamplesEventsPerS: produce.rates.map((r) => round(r)),
        },
      },
      {
        suite: 'ingestion',
        metric: 'ingestion.p99_ms_at_5k_eps',
        value: round(p99),
        unit: 'ms',
        higherIsBetter: false,
        details: {
          ...common,
          requestsPerS: OPEN_LOOP_REQUESTS_PER_S,
          seconds: openLoopSeconds,
          requests: latencies.length,
          p50Ms: round(p50),
          p95Ms: round(p95),
          p99Ms: round(p99),
          maxMs: round(latencies[latencies.length - 1]),
          load: 'open loop: each request starts at its scheduled time; latency from that time to the end of the answer',
        },
      },
      ...(importRates.length > 0
        ? [
            {
              suite: 'ingestion',
              metric: 'ingestion.import_rows_per_s',
              value: round(median(importRates)),
              unit: 'rows/s',
              higherIsBetter: true,
              details: {
                ...common,
                file: 'cdnow_master.txt, streamed as the raw body of POST /v1/imports',
                mapping: 'services/ingestion/imports/cdnow-pos-receipts.mapping.json (POS receipts -> Order Completed)',
                repetitions: ctx.repetitions,
                rows: importJobs.map((job) => job.rows),
                samplesRowsPerS: importRates.map((r) => round(r)),
                timed: 'from the first byte sent to the answer (the job, once every row is on Kafka)',
              },
            },
          ]
        : []),
    ];
  } finally {
    agent.destroy();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await deleteTopics(admin, TOPIC_ROOT).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
  }
}
