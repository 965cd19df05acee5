import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, deleteTopicsWithPrefix, testDataDir, testInfra, uniqueTopicPrefix, type TestDatabase } from '@cdp/testing';

export const ROOT = join(__dirname, '..', '..');
export const run = promisify(execFile);

export interface ServiceEntry {
  name: string;
  port: number;
  schema: string;
}

export interface Started extends ServiceEntry {
  url: string;
  child: ChildProcess;
  log: string;
}

export const manifest = JSON.parse(readFileSync(join(ROOT, 'infra', 'services.json'), 'utf8')) as { services: ServiceEntry[] };

/** Ports nothing listens on right now, so this run never collides with services already started. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function waitForHealth(service: Started, deadlineMs: number): Promise<void> {
  let last = 'no answer';
  while (Date.now() < deadlineMs) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new Error(`${service.name} exited (${service.child.exitCode ?? service.child.signalCode}) before becoming healthy:\n${tail(service.log)}`);
    }
    try {
      const res = await fetch(`${service.url}/health`);
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${service.name} never answered GET /health with 200 (last: ${last}):\n${tail(service.log)}`);
}

/** Sends SIGTERM; says whether the service exited by itself or had to be killed. */
export async function stop(service: Started): Promise<'exited' | 'killed'> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return 'exited';
  let killed = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // A service that ignores SIGTERM must not outlive the test run.
  const force = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, 20_000);
  await exited;
  clearTimeout(force);
  return killed ? 'killed' : 'exited';
}


export interface Platform {
  database: TestDatabase;
  prefix: string;
  services: Started[];
  /** The service named, started. */
  service(name: string): Started;
  close(): Promise<void>;
}

/**
 * Builds the workspace, then migrates and starts services of infra/services.json as processes (all,
 * or those named) on free ports, with one test database and one topic prefix, as `npm start` would.
 */
export async function startPlatform(label: string, options: { only?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Platform> {
  await run(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
  const database = await createTestDatabase(label);
  const infra = testInfra();
  const logs = testDataDir(`${label}-logs`);
  const entries = manifest.services.filter((s) => !options.only || options.only.includes(s.name));
  const ports = await freePorts(entries.length);
  const prefix = uniqueTopicPrefix(label);
  const common: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    CLICKHOUSE_DATA_DIR: testDataDir(`${label}-clickhouse`),
    ...(infra.clickhouseUrl ? { CLICKHOUSE_URL: infra.clickhouseUrl, CLICKHOUSE_DATABASE: `cdp_test_${infra.runId}` } : {}),
    ...options.env,
  };
  const started: Started[] = [];
  try {
    for (const [index, entry] of entries.entries()) {
      const main = join(ROOT, 'services', entry.name, 'dist', 'main.js');
      const env = { ...common, PORT: String(ports[index]) };
      const log = join(logs, `${entry.name}.log`);
      // `migrate` is a separate run that must finish (exit 0) before the service starts, as in npm start.
      await run(process.execPath, [main, 'migrate'], { cwd: ROOT, env }).catch((error: { stdout?: string; stderr?: string }) => {
        throw new Error(`${entry.name} migrate failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      });
      const fd = openSync(log, 'a');
      const child = spawn(process.execPath, [main], { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
      closeSync(fd);
      started.push({ ...entry, url: `http://127.0.0.1:${ports[index]}`, child, log });
    }
    const deadline = Date.now() + 120_000;
    await Promise.all(started.map((service) => waitForHealth(service, deadline)));
  } catch (error) {
    await Promise.all(started.map(stop));
    await database.drop();
    throw error;
  }
  return {
    database,
    prefix,
    services: started,
    service(name) {
      const found = started.find((s) => s.name === name);
      if (!found) throw new Error(`${name} was not started`);
      return found;
    },
    async close() {
      await Promise.all(started.map(stop));
      await database.drop();
      await deleteTopicsWithPrefix(infra.kafkaBrokers, prefix);
    },
  };
}
