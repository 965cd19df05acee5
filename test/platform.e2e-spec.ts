import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifest, ROOT, run, startPlatform, stop, type Platform, type Started } from './support/platform';

describe('the platform, built and started as processes', () => {
  let platform: Platform;
  let started: Started[] = [];

  beforeAll(async () => {
    platform = await startPlatform('platform');
    started = platform.services;
  }, 300_000);

  afterAll(() => platform?.close(), 60_000);

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
