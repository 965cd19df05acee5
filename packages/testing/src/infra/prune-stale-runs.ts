import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { dataRoot } from '../fs/repo-root';
import { dropTestDatabase } from '../postgres/test-database';
import { runStartedAt } from '../run-id';
import type { InfraEndpoints } from './infra-provider';

/** Longer than any run can last (CI allows 90 minutes), so only dead runs' leftovers qualify. */
export const STALE_RUN_AGE_MS = 6 * 60 * 60 * 1000;

export function isStaleRun(runId: string, now: number, maxAgeMs = STALE_RUN_AGE_MS): boolean {
  const startedAt = runStartedAt(runId);
  return startedAt !== undefined && now - startedAt > maxAgeMs;
}

/** Run id inside a harness-made name: `cdp_test_<runId>_...` or `t-<runId>-...`. */
export function runIdOf(name: string): string | undefined {
  return /^(?:cdp_test_|t-)([0-9a-z]{8})[-_]/.exec(name)?.[1];
}

export interface PruneReport {
  databases: string[];
  topics: string[];
  dataDirs: string[];
}

/**
 * Removes what runs that crashed or were killed left behind (their databases, topics and data
 * directories), so a long-lived local broker and server do not fill up over weeks of test runs.
 * Only names this harness makes, and only runs older than STALE_RUN_AGE_MS, are touched.
 */
export async function pruneStaleRuns(endpoints: InfraEndpoints, now = Date.now()): Promise<PruneReport> {
  const stale = (name: string): boolean => {
    const runId = runIdOf(name);
    return runId !== undefined && isStaleRun(runId, now);
  };

  const client = new Client({ connectionString: endpoints.adminDatabaseUrl });
  await client.connect();
  let databases: string[];
  try {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'cdp\\_test\\_%'");
    databases = rows.map((row) => row.datname).filter(stale);
  } finally {
    await client.end();
  }
  for (const name of databases) await dropTestDatabase(endpoints.adminDatabaseUrl, name);

  const admin = new Kafka({ clientId: 'cdp-testing-prune', brokers: endpoints.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  let topics: string[];
  try {
    topics = (await admin.listTopics()).filter(stale);
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }

  const testRoot = join(dataRoot(), 'test');
  const dataDirs = listDirs(testRoot).filter((runId) => isStaleRun(runId, now) || isOldDir(join(testRoot, runId), now));
  for (const runId of dataDirs) rmSync(join(testRoot, runId), { recursive: true, force: true });

  return { databases, topics, dataDirs };
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Directories of runs whose ids predate the time-stamped format: judged by modification time. */
function isOldDir(path: string, now: number): boolean {
  return runStartedAt(path.split('/').pop() ?? '') === undefined && now - statSync(path).mtimeMs > STALE_RUN_AGE_MS;
}
