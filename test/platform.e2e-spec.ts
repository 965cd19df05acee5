import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, testDataDir, testInfra, uniqueTopicPrefix, type TestDatabase } from '@cdp/testing';

const ROOT = join(__dirname, '..');
const run = promisify(execFile);

interface ServiceEntry {
  name: string;
  port: number;
  schema: string;
}

interface Started extends ServiceEntry {
  url: string;
  child: ChildProcess;
  log: string;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'infra', 'services.json'), 'utf8')) as { services: ServiceEntry[] };

/** Ports nothing listens on right now, so this run never collides with services already started. */
async function freePorts(count: number): Promise<number[]> {
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

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitForHealth(service: Started, deadlineMs: number): Promise<void> {
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
async function stop(service: Started): Promise<'exited' | 'killed'> {
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

describe('the platform, built and started as processes', () => {
  let database: TestDatabase;
  const started: Started[] = [];

  beforeAll(async () => {
    await run(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
    database = await createTestDatabase('platform');
    const infra = testInfra();
    const logs = testDataDir('platform-logs');
    const ports = await freePorts(manifest.services.length);
    const common: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: uniqueTopicPrefix('platform'),
      CLICKHOUSE_DATA_DIR: testDataDir('platform-clickhouse'),
      ...(infra.clickhouseUrl ? { CLICKHOUSE_URL: infra.clickhouseUrl, CLICKHOUSE_DATABASE: `cdp_test_${infra.runId}` } : {}),
    };

    for (const [index, entry] of manifest.services.entries()) {
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
  }, 300_000);

  afterAll(async () => {
    await Promise.all(started.map(stop));
    await database?.drop();
  }, 60_000);

  it('starts every service of infra/services.json', () => {
    expect(started.map((s) => s.name)).toEqual(manifest.services.map((s) => s.name));
  });

  it.each(manifest.services.map((s) => [s.name]))('%s answers /health 200, / with its name, and /metrics', async (name) => {
    const service = started.find((s) => s.name === name)!;
    const health = await fetch(`${service.url}/health`);
    expect(health.status).toBe(200);
    const report = (await health.json()) as { status: string; details: Record<string, { status: string }> };
    expect(report.status).toBe('ok');
    expect(report.details.database?.status).toBe('up');
    expect(report.details.kafka?.status).toBe('up');
    if (name === 'analytics') expect(report.details.clickhouse?.status).toBe('up');

    expect(await (await fetch(service.url)).json()).toMatchObject({ service: name });

    const metrics = await fetch(`${service.url}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(text).toContain(`route="/health",status_code="200"`);
  }, 30_000);

  it('refuses to start with a bad configuration, naming the variable', async () => {
    const main = join(ROOT, 'services', 'ingestion', 'dist', 'main.js');
    const failure = await run(process.execPath, [main], { cwd: ROOT, env: { ...process.env, KAFKA_BROKERS: 'x', PORT: 'eighty' } }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
    );
    expect(failure).toEqual({
      code: 1,
      stderr:
        'ingestion: Invalid configuration: KAFKA_BROKERS: expected comma-separated host:port list, got "x"; ' +
        'PORT: expected a TCP port number (0-65535), got "eighty"\n',
    });
  }, 30_000);

  it('stops every service gracefully on SIGTERM', async () => {
    const outcomes = await Promise.all(started.map(async (service) => [service.name, await stop(service)]));
    expect(Object.fromEntries(outcomes)).toEqual(Object.fromEntries(started.map((s) => [s.name, 'exited'])));
    for (const service of started) {
      expect({ name: service.name, log: readFileSync(service.log, 'utf8') }).toEqual({
        name: service.name,
        log: expect.stringMatching(/shutting down[\s\S]*"msg":"stopped"/),
      });
      expect({ name: service.name, exitCode: service.child.exitCode }).toEqual({ name: service.name, exitCode: 0 });
    }
  }, 60_000);
});
