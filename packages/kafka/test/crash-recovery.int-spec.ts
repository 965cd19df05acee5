import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type IngestedEvent, TOPICS } from '@cdp/contracts';
import { EventProducer, silentLogger } from '../src';
import { caughtUp, ingestedEvent, logEndOffsets, RUNTIME_SCHEMA, type RuntimeHarness, startHarness, storedOffsets, waitFor } from './support/runtime-harness';
import { CRASH_GROUP } from './fixtures/crash-consumer.constants';

// Real brokers and databases on a shared machine: allow for slow group joins.
jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '../../..');
const FIXTURE = join(__dirname, 'fixtures/crash-consumer.fixture.ts');
const EVENTS = 3000;

/** The fixture app as a child process, with its output lines observable. */
class FixtureProcess {
  readonly lines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private waiters: Array<() => void> = [];

  constructor(env: Record<string, string>) {
    // @swc-node/register applies tsconfig.json's paths (cwd is the repo root), so @cdp/* load from the
    // workspace sources: the child runs exactly the code under test, never a stale dist/ build.
    this.child = spawn(process.execPath, ['-r', '@swc-node/register', FIXTURE], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      for (const wake of this.waiters) wake();
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
    this.exited = new Promise((resolveExit) => {
      this.child.once('exit', (code, signal) => {
        resolveExit({ code, signal });
        for (const wake of this.waiters) wake();
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the first output line matching, failing if the process exits or time runs out. */
  waitForLine(match: (line: string) => boolean, what: string, timeoutMs = 90_000): Promise<string> {
    return new Promise((resolveLine, reject) => {
      const timer = setTimeout(() => finish(new Error(`fixture never printed ${what}; stderr:\n${this.stderr}`)), timeoutMs);
      const check = () => {
        const line = this.lines.find(match);
        if (line) return finish(undefined, line);
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
          finish(new Error(`fixture exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}; stderr:\n${this.stderr}`));
        }
      };
      const finish = (err?: Error, line?: string) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        if (err) reject(err);
        else resolveLine(line!);
      };
      this.waiters.push(check);
      check();
    });
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    await this.exited;
  }
}

const midBatch = (minSeq: number) => (line: string) => {
  const m = /^MID_BATCH (\d+) /.exec(line);
  return !!m && Number(m[1]) >= minSeq;
};

describe('crash recovery (SIGKILL mid-batch)', () => {
  let h: RuntimeHarness;
  const running: FixtureProcess[] = [];

  beforeAll(async () => {
    h = await startHarness('crash', [{ ...TOPICS.ingestEvents, partitions: 6 }]);
    await h.pool.query('CREATE SCHEMA app');
    // Deliberately no unique key: a duplicate application would show up as a second row.
    await h.pool.query('CREATE TABLE app.applied (event_id text NOT NULL, partition int NOT NULL, "offset" bigint NOT NULL, pid int NOT NULL)');
  });

  afterAll(async () => {
    await Promise.all(running.map((p) => p.kill('SIGKILL')));
    await h?.close();
  });

  const start = () => {
    const p = new FixtureProcess({
      KAFKA_BROKERS: h.brokers.join(','),
      DATABASE_URL: h.db.url,
      TOPIC_PREFIX: h.prefix,
      RUNTIME_SCHEMA,
      HANDLER_DELAY_MS: '100',
      MAX_BATCH_SIZE: '50',
    });
    running.push(p);
    return p;
  };

  const appliedCount = async () => Number((await h.pool.query('SELECT count(*)::int AS n FROM app.applied')).rows[0].n);

  it('applies every event exactly once across kills and restarts, and stores offsets at the log end', async () => {
    const topic = h.topic(TOPICS.ingestEvents);
    const events: IngestedEvent[] = Array.from({ length: EVENTS }, (_, i) => ingestedEvent({ anonymousId: `anon-${i % 101}` }));
    const producer = new EventProducer(h.kafka, { serde: h.serde, topicPrefix: h.prefix, logger: silentLogger });
    await producer.connect();
    for (let i = 0; i < events.length; i += 500) {
      await producer.send(events.slice(i, i + 500).map((value) => ({ topic: TOPICS.ingestEvents, key: value.anonymousId, schema: 'cdp.ingest.IngestedEvent', value })));
    }
    await producer.disconnect();

    // Two crashes, each while a batch's rows are written but not committed.
    for (const crash of [1, 2]) {
      const victim = start();
      await victim.waitForLine(midBatch(crash === 1 ? 5 : 3), `a batch in progress (crash ${crash})`);
      await victim.kill('SIGKILL');
      expect((await victim.exited).signal).toBe('SIGKILL');
      const applied = await appliedCount();
      expect(applied).toBeGreaterThan(0);
      expect(applied).toBeLessThan(EVENTS);
    }

    const survivor = start();
    await waitFor(() => caughtUp(h, `${h.prefix}${CRASH_GROUP}`, topic), Boolean, 'the restarted consumer to reach the log end', 180_000);
    await survivor.kill('SIGTERM');
    expect((await survivor.exited).code).toBe(0);

    const { rows } = await h.pool.query<{ event_id: string; n: number }>('SELECT event_id, count(*)::int AS n FROM app.applied GROUP BY event_id');
    expect(rows.filter((r) => r.n > 1)).toEqual([]);
    expect(rows).toHaveLength(EVENTS);
    expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(events.map((e) => e.messageId)));
    // The work really was spread over the crashed processes and the survivor.
    const { rows: byPid } = await h.pool.query<{ pid: number }>('SELECT DISTINCT pid FROM app.applied');
    expect(byPid.length).toBeGreaterThanOrEqual(2);

    const ends = await logEndOffsets(h.admin, topic);
    const stored = await storedOffsets(h.pool, `${h.prefix}${CRASH_GROUP}`, topic);
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries([...ends].filter(([, high]) => high !== '0')));
    const processed = await h.pool.query(`SELECT count(*)::int AS n FROM ${RUNTIME_SCHEMA}.processed_events`);
    expect(processed.rows[0].n).toBe(EVENTS);
  }, 300_000);
});
