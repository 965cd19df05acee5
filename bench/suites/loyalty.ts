// Suite `loyalty`: the loyalty service's consumer and its redemption API.
// - loyalty.purchases_per_s: CDNOW purchases as resolved `Order Completed` events (what identity
//   emits), credited through the service's real batch consumer: Avro decode, dedupe, accounts locked
//   and loaded in bulk, the domain's decide/evolve per event, multi-row appends of the account
//   streams and snapshots, ledger entries in the outbox, offsets, all in one Postgres transaction
//   per batch. The events are produced before the service starts; the rate is timed from the first
//   committed batch to the last, so start-up is not counted. Goal: at least 5,000/s.
// - loyalty.redeem_p99_ms: POST .../redemptions over keep-alive HTTP in an open loop at
//   BENCH_LOYALTY_REDEEM_RATE per second over BENCH_LOYALTY_MEMBERS members with enough points (each
//   request locks its member's account row, decides, appends, writes the outbox and the audit log);
//   latency from each request's scheduled start. Goal: under 20 ms.
// The service runs as a child process from source (its own event loop), schema `loyalty` in the
// bench database, its own topic prefix; the due-work scheduler is off (it is not what is measured).
// Environment: BENCH_LOYALTY_EVENTS (default every CDNOW purchase, 69,659), BENCH_LOYALTY_REDEMPTIONS
// (per repetition, 600), BENCH_LOYALTY_REDEEM_RATE (20/s: a shop redeems far less often than it sells), BENCH_LOYALTY_MEMBERS (200),
// BENCH_LOYALTY_CPU_PROF (a directory: the service writes a V8 CPU profile there when it stops).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { type ResolvedEvent, TOPICS } from '@cdp/contracts';
import { createConsoleLogger, createKafka, ensureTopics, EventProducer } from '@cdp/kafka';
import type { Admin } from 'kafkajs';
import { Pool } from 'pg';
import type { BenchContext, BenchResult } from '../lib/bench-types';
import { purchaseEvent, readCdnow, syntheticPurchases } from '../lib/cdnow-events';
import { median, round } from '../lib/stats';

const ROOT = resolve(__dirname, '../..');
const TOPIC_ROOT = 'bench-loyalty-';
const ADMIN_TOKEN = 'bench-loyalty-admin-token';
const PROGRAMME = 'bench';

interface Answer {
  status: number;
  body: string;
}

function call(agent: Agent, url: URL, method: string, path: string, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolveCall, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path,
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolveCall({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
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

function serviceProcess(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const profile = process.env.BENCH_LOYALTY_CPU_PROF && args[0] === 'serve' ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_LOYALTY_CPU_PROF}`] : [];
  return spawn(process.execPath, [...profile, '-r', '@swc-node/register', join(ROOT, 'services/loyalty/src/main.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
}

async function waitReady(url: URL, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the loyalty service exited with ${child.exitCode} while starting`);
    if (await fetch(new URL('/health/ready', url)).then((r) => r.ok, () => false)) return;
    if (Date.now() > deadline) throw new Error('the loyalty service was not ready within 2 minutes');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(force);
}

async function deleteTopics(admin: Admin, root: string): Promise<void> {
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(root));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
}

/** Waits until the consumer stored offsets for `expected` messages; times from the first committed batch to the last. */
async function timeConsumption(pool: Pool, topic: string, expected: number, onFirst: () => void): Promise<{ seconds: number; counted: number }> {
  const deadline = Date.now() + 900_000;
  let first: { at: bigint; n: number } | undefined;
  for (;;) {
    const { rows } = await pool.query<{ n: string }>(`SELECT COALESCE(sum(next_offset), 0)::text AS n FROM loyalty.consumer_offsets WHERE topic = $1`, [topic]);
    const n = Number(rows[0].n);
    const now = process.hrtime.bigint();
    if (n > 0 && !first) {
      first = { at: now, n };
      onFirst();
    }
    if (n >= expected && first) return { seconds: Number(now - first.at) / 1e9, counted: expected - first.n };
    if (Date.now() > deadline) throw new Error(`the consumer stored offsets for ${n} of ${expected} events in 15 minutes`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux): steadier than wall time on a shared machine. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const dataset = readCdnow(ctx.datasetsDir);
  const events = Number(process.env.BENCH_LOYALTY_EVENTS ?? dataset?.length ?? 50_000);
  const purchases = dataset ?? syntheticPurchases(events);
  const redemptions = Number(process.env.BENCH_LOYALTY_REDEMPTIONS ?? 600);
  const rate = Number(process.env.BENCH_LOYALTY_REDEEM_RATE ?? 20);
  const members = Number(process.env.BENCH_LOYALTY_MEMBERS ?? 200);
  const runId = Date.now().toString(36);
  const logger = createConsoleLogger('warn', { bench: 'loyalty' });
  const kafka = createKafka({ brokers: ctx.kafkaBrokers, clientId: 'cdp-bench-loyalty', logger });
  const admin = kafka.admin();
  await admin.connect();
  const pool = new Pool({ connectionString: ctx.benchDatabaseUrl, max: 2 });
  const serde = new AvroSerde(new InRepoSchemaRegistry());
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let child: ChildProcess | undefined;
  try {
    await deleteTopics(admin, TOPIC_ROOT);
    const postgres = (await pool.query<{ v: string }>('SHOW server_version')).rows[0].v;
    const purchaseRates: number[] = [];
    const purchaseSeconds: number[] = [];
    const purchaseCpuUs: number[] = [];
    const latencies: number[][] = [];
    const achieved: number[] = [];
    const redeemCpuUs: number[] = [];
    for (let rep = 0; rep < ctx.repetitions; rep++) {
      // A fresh schema and topic prefix per repetition: every purchase is new to the service.
      await pool.query(`DROP SCHEMA IF EXISTS loyalty CASCADE`);
      const prefix = `${TOPIC_ROOT}${runId}-${rep}.`;
      await ensureTopics(admin, [TOPICS.authTokens, TOPICS.identityResolvedEvents, TOPICS.identityProfileMerged, TOPICS.loyaltyLedger, TOPICS.loyaltyNotifications, TOPICS.ingestDeadLetter], prefix);
      const port = await freePort();
      const url = new URL(`http://127.0.0.1:${port}`);
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: ctx.benchDatabaseUrl,
        DATABASE_POOL_SIZE: '12',
        KAFKA_BROKERS: ctx.kafkaBrokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        CDP_BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
        LOYALTY_DUE_WORK_INTERVAL_MS: '0',
      };
      const migrate = serviceProcess(['migrate'], env);
      const [code] = (await once(migrate, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`loyalty migrations exited with ${code}`);
      child = serviceProcess(['serve'], env);
      await waitReady(url, child);
      // The programme comes first (purchases before it would credit nothing); then the service stops,
      // the purchases are produced, and it starts again to consume them all.
      const created = await call(agent, url, 'POST', '/v1/loyalty/programmes', {
        programme: {
          id: PROGRAMME,
          name: 'CDNOW Stars',
          pointsName: 'Stars',
          currency: 'USD',
          timeZone: 'America/New_York',
          pendingDays: 30,
          expiry: { kind: 'rolling', days: 365 },
          earningRules: [
            { id: 'base', name: 'A star per dollar', kind: 'purchase', currency: 'USD', pointsPerUnit: 1, rounding: 'floor', exclusions: [{ category: 'Gift Cards' }] },
            { id: 'first', name: 'First order bonus', kind: 'activity', activity: 'first_purchase', points: 50 },
          ],
          tiers: {
            metric: 'points',
            windowDays: 365,
            reviewPeriod: 'year',
            levels: [
              { id: 'normal', name: '普通', threshold: 0, earnMultiplier: 1 },
              { id: 'silver', name: '银卡', threshold: 200, earnMultiplier: 1.25 },
              { id: 'gold', name: '金卡', threshold: 1000, earnMultiplier: 1.5 },
            ],
          },
          rewards: [{ id: 'voucher', name: '$5 voucher', cost: 10, grant: { kind: 'discount', amountOff: 5, percentOff: null, prefix: 'V5-' } }],
          referral: null,
          notifications: { expiringSoonDays: 30, tierChangeMaxAgeDays: 7 },
        },
      });
      if (created.status !== 201) throw new Error(`creating the programme answered ${created.status}: ${created.body}`);
      await stopProcess(child);
      const producer = new EventProducer(kafka, { serde, topicPrefix: prefix, logger });
      await producer.connect();
      for (let i = 0; i < events; i += 1000) {
        const batch: ResolvedEvent[] = [];
        for (let j = i; j < Math.min(events, i + 1000); j++) {
          const ingested = purchaseEvent(purchases[j % purchases.length], j, `${runId}:${rep}`);
          batch.push({
            id: ingested.messageId,
            type: 'EventResolved',
            occurredAt: ingested.timestamp,
            data: { profileId: ingested.userId!, profileCreated: false, identifiers: [{ type: 'user_id', value: ingested.userId! }], event: ingested },
            metadata: { correlationId: ingested.messageId, causationId: ingested.messageId, producer: 'identity', schemaVersion: 1 },
          });
        }
        await producer.send(batch.map((value) => ({ topic: TOPICS.identityResolvedEvents, key: value.data.profileId, schema: 'cdp.identity.ResolvedEvent', value })));
      }
      await producer.disconnect();

      child = serviceProcess(['serve'], env);
      // The consumer starts while the HTTP side gets ready: the clock runs from its first committed batch.
      let cpuBefore: number | undefined;
      const pid = child.pid;
      const consumed = timeConsumption(pool, `${prefix}${TOPICS.identityResolvedEvents.name}`, events, () => {
        cpuBefore = cpuSecondsOf(pid);
      });
      await waitReady(url, child);
      const { seconds, counted } = await consumed;
      const cpuAfter = cpuSecondsOf(child.pid);
      if (cpuBefore !== undefined && cpuAfter !== undefined) purchaseCpuUs.push(((cpuAfter - cpuBefore) * 1e6) / counted);
      purchaseRates.push(counted / seconds);
      purchaseSeconds.push(seconds);
      const [{ n: orders }] = (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM loyalty.account_events WHERE type = 'OrderRecorded'`)).rows;
      if (Number(orders) !== events) throw new Error(`${orders} orders recorded for ${events} purchases`);
      ctx.log(`loyalty purchases #${rep + 1}: ${counted} events in ${seconds.toFixed(2)} s (${Math.round(counted / seconds)}/s, service CPU ${purchaseCpuUs.at(-1)?.toFixed(0) ?? '?'} us/event)`);

      // The relay publishes the purchases' ledger entries meanwhile; the redemptions start once it is done.
      for (const deadline = Date.now() + 300_000; ; ) {
        const [{ n }] = (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM loyalty.outbox WHERE published_at IS NULL`)).rows;
        if (Number(n) === 0) break;
        if (Date.now() > deadline) throw new Error(`the outbox still holds ${n} unpublished events after 5 minutes`);
        await new Promise((r) => setTimeout(r, 200));
      }
      // Redemptions: members get points by adjustment (CDNOW's 1997 points expired long ago).
      const ids = Array.from({ length: members }, (_, i) => `bench-member-${i}`);
      for (const id of ids) {
        const a = await call(agent, url, 'POST', `/v1/loyalty/programmes/${PROGRAMME}/accounts/${id}/adjustments`, { points: 1_000_000, reason: 'bench balance' });
        if (a.status !== 201) throw new Error(`adjustment answered ${a.status}: ${a.body}`);
      }
      // Warm-up (JIT, pools), closed loop, not measured; then the open loop at a fixed rate, each
      // latency counted from the request's scheduled start (a slow answer delays the figure of the
      // requests queued behind it too).
      const redeemOne = async (member: string, key: string) => {
        const answer = await call(agent, url, 'POST', `/v1/loyalty/programmes/${PROGRAMME}/accounts/${member}/redemptions`, { rewardId: 'voucher', idempotencyKey: key });
        if (answer.status !== 201) throw new Error(`redemption answered ${answer.status}: ${answer.body}`);
      };
      const warmCpu = cpuSecondsOf(child.pid);
      for (let i = 0; i < 300; i++) await redeemOne(ids[i % members], `${runId}-${rep}-warm-${i}`);
      const warmCpuAfter = cpuSecondsOf(child.pid);
      if (warmCpu !== undefined && warmCpuAfter !== undefined) redeemCpuUs.push(((warmCpuAfter - warmCpu) * 1e6) / 300);
      const sample: number[] = [];
      const pending: Promise<void>[] = [];
      const intervalMs = 1000 / rate;
      const start = performance.now();
      for (let i = 0; i < redemptions; i++) {
        const due = start + i * intervalMs;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        pending.push(redeemOne(ids[(i * 7) % members], `${runId}-${rep}-${i}`).then(() => void sample.push(performance.now() - due)));
      }
      await Promise.all(pending);
      achieved.push(redemptions / ((performance.now() - start) / 1000));
      sample.sort((a, b) => a - b);
      latencies.push(sample);
      ctx.log(`loyalty redeem #${rep + 1}: service CPU ${redeemCpuUs.at(-1)?.toFixed(0) ?? '?'} us/redemption (sequential warm-up); p50 ${percentile(sample, 50).toFixed(1)} ms, p99 ${percentile(sample, 99).toFixed(1)} ms over ${sample.length}`);
      await stopProcess(child);
      child = undefined;
      await deleteTopics(admin, prefix);
    }

    const common = { machine: ctx.machine, repetitions: ctx.repetitions, postgres, dataset: dataset ? 'cdnow_master.txt (Order Completed per purchase)' : 'synthetic CDNOW-shaped purchases' };
    const p99s = latencies.map((l) => percentile(l, 99));
    return [
      {
        suite: 'loyalty',
        metric: 'loyalty.purchases_per_s',
        value: round(median(purchaseRates)),
        unit: 'events/s',
        higherIsBetter: true,
        details: {
          ...common,
          events,
          partitions: TOPICS.identityResolvedEvents.partitions,
          consumer: 'the service process: BatchConsumer (1,000 messages per transaction), accounts locked FOR UPDATE in bulk, decide/evolve per event, multi-row appends, LedgerEntry per credit in the outbox (relay running); timed from the first committed batch to the last',
          programme: '1 point per dollar (floor), gift-card exclusion, first-purchase bonus, 30-day return window, 3 tiers on points',
          samplesEventsPerS: purchaseRates.map((r) => round(r)),
          samplesSeconds: purchaseSeconds.map((s) => round(s, 3)),
          serviceCpuUsPerEvent: purchaseCpuUs.map((v) => round(v)),
          goal: 5000,
        },
      },
      {
        suite: 'loyalty',
        metric: 'loyalty.redeem_p99_ms',
        value: round(median(p99s), 2),
        unit: 'ms',
        higherIsBetter: false,
        details: {
          ...common,
          redemptionsPerRepetition: redemptions,
          warmup: 300,
          load: `open loop, ${rate} redemptions/s over ${members} members (latency from each request's scheduled start)`,
          samplesAchievedPerS: achieved.map((v) => round(v)),
          serviceCpuUsPerRedemption: redeemCpuUs.map((v) => round(v)),
          request: 'POST /v1/loyalty/programmes/:id/accounts/:profile/redemptions, keep-alive HTTP, bearer token, generated discount code',
          samplesP99Ms: p99s.map((v) => round(v, 2)),
          samplesP50Ms: latencies.map((l) => round(percentile(l, 50), 2)),
          samplesP95Ms: latencies.map((l) => round(percentile(l, 95), 2)),
          goal: 20,
        },
      },
    ];
  } finally {
    await stopProcess(child).catch(() => undefined);
    agent.destroy();
    await deleteTopics(admin, TOPIC_ROOT).catch(() => undefined);
    await admin.disconnect();
    await pool.end();
  }
}
