// Benchmark runner: `node -r @swc-node/register bench/run.ts [SUITE...]` (all suites when none).
// Each suite is bench/suites/<suite>.ts exporting `run(ctx): Promise<BenchResult[]>`. Writes
// bench/results/latest.json (figures of suites not run are kept) and a timestamped copy next to it.
// Environment: KAFKA_BROKERS (default 127.0.0.1:9092), ADMIN_DATABASE_URL or DATABASE_URL (the
// bench works in its own cdp_bench database), BENCH_REPETITIONS (default 3); suites document theirs.
// @swc-node/register applies tsconfig.json's paths, so @cdp/* load from the workspace sources: a bench
// measures the code in the tree, never a stale dist/ build.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import type { BenchContext, BenchResult, BenchSuite } from './lib/bench-types';
import { machineInfo } from './lib/machine';

const ROOT = resolve(__dirname, '..');
const SUITES_DIR = join(__dirname, 'suites');
const RESULTS_DIR = join(__dirname, 'results');
const BENCH_DATABASE = 'cdp_bench';

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates cdp_bench when missing; suites own (and reset) their schemas inside it. */
async function benchDatabase(adminUrl: string): Promise<string> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${BENCH_DATABASE}`);
  } finally {
    await client.end();
  }
  return withDatabase(adminUrl, BENCH_DATABASE);
}

function availableSuites(): string[] {
  return readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function main(): Promise<void> {
  const available = availableSuites();
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = requested.filter((s) => !available.includes(s));
  if (unknown.length > 0) throw new Error(`unknown suite(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  const suites = requested.length > 0 ? requested : available;

  const databaseUrl = process.env.ADMIN_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const adminDatabaseUrl = process.env.ADMIN_DATABASE_URL ?? withDatabase(databaseUrl, 'postgres');
  const ctx: BenchContext = {
    kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean),
    adminDatabaseUrl,
    benchDatabaseUrl: await benchDatabase(adminDatabaseUrl),
    datasetsDir: resolve(ROOT, '..', 'shared', 'datasets'),
    repetitions: Number(process.env.BENCH_REPETITIONS ?? '3'),
    machine: machineInfo(),
    log,
  };

  const results: BenchResult[] = [];
  const failures: string[] = [];
  for (const name of suites) {
    log(`suite ${name}`);
    const started = Date.now();
    try {
      const suite = (await import(join(SUITES_DIR, `${name}.ts`))) as BenchSuite;
      const produced = await suite.run(ctx);
      results.push(...produced);
      log(`suite ${name}: ${produced.length} figure(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      failures.push(name);
      log(`suite ${name} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  mkdirSync(RESULTS_DIR, { recursive: true });
  // latest.json keeps the newest figures of every suite: running one suite replaces only its own.
  const latestFile = join(RESULTS_DIR, 'latest.json');
  const kept = existsSync(latestFile) ? (JSON.parse(readFileSync(latestFile, 'utf8')) as BenchResult[]).filter((r) => !suites.includes(r.suite)) : [];
  writeFileSync(latestFile, `${JSON.stringify([...kept, ...results], null, 2)}\n`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(RESULTS_DIR, `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  for (const r of results) log(`${r.metric} = ${r.value} ${r.unit}`);
  if (failures.length > 0) {
    log(`failed suites: ${failures.join(', ')}`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exitCode = 1;
});
