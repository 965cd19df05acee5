import { createServer } from 'node:net';
import { Client } from 'pg';
import { loadConfig, type ConfigSchema, type EnvSource, type ServiceConfig } from '@cdp/config';
import { createTestDatabase, testInfra, uniqueTopicPrefix, type TestDatabase } from '@cdp/testing';
import { bootstrapService, createRootLogger, migrateService, type RunningService, type ServiceDefinition } from '../src';

export interface ServiceUnderTest<C extends ServiceConfig> {
  definition: ServiceDefinition<C>;
  config: ConfigSchema<C>;
  /** Readiness checks the service adds to `database` and `kafka`. */
  extraChecks?: string[];
  /** Those of `extraChecks` that are down whenever Kafka is (e.g. `auth-tokens`). */
  kafkaDependentChecks?: string[];
  /** Further environment for each instance under test (e.g. its own ClickHouse data directory). */
  env?: () => Record<string, string>;
  /** Service-specific tests, run against the same instance (available once the suite has started it). */
  verify?: (service: () => RunningService) => void;
}

// Generous: starting a service means a database, migrations and Kafka connections, on a machine
// that may be running other suites at the same time.
const SETUP_TIMEOUT_MS = 60_000;

/** A TCP port nothing listens on: a broker address that refuses connections. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * What every service must do, checked against real Postgres and Kafka: migrate its own schema
 * (once), start, describe itself, report readiness per dependency (and 503 naming the one that
 * is down), expose Prometheus metrics, answer unknown routes with problem+json.
 */
export function describeServiceConformance<C extends ServiceConfig>(subject: ServiceUnderTest<C>): void {
  const { definition } = subject;
  const name = definition.name;
  const expectedChecks = ['database', 'kafka', ...(subject.extraChecks ?? [])].sort();

  describe(`${name} service`, () => {
    let database: TestDatabase;
    let env: EnvSource;
    let config: C;
    let service: RunningService;

    const get = (path: string, on: RunningService = service) => fetch(`${on.url}${path}`);
    const migrate = () => migrateService(definition, config, createRootLogger({ service: name, version: 'test', level: config.logLevel }));

    beforeAll(async () => {
      database = await createTestDatabase(name);
      env = {
        NODE_ENV: 'test',
        // Test helpers may read the environment: LOG_LEVEL=info shows the services' logs.
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
        HOST: '127.0.0.1',
        PORT: '0',
        DATABASE_URL: database.url,
        KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
        KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(name),
        ...subject.env?.(),
      };
      config = loadConfig(subject.config, env);
      await migrate();
      service = await bootstrapService({ ...definition, config });
    }, SETUP_TIMEOUT_MS);

    afterAll(async () => {
      await service?.close();
      await database?.drop();
    }, SETUP_TIMEOUT_MS);

    it('describes itself at GET /', async () => {
      const res = await get('/');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ service: name, version: definition.version });
    });

    it(`is ready, with ${expectedChecks.join(', ')} each up`, async () => {
      // Some checks become ready only after start-up work (a token registry reading its topic):
      // wait for readiness, then require every check up.
      const deadline = Date.now() + 30_000;
      while ((await get('/health/ready')).status !== 200 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      for (const path of ['/health/ready', '/health']) {
        const res = await get(path);
        const body = (await res.json()) as { status: string; details: Record<string, { status: string }> };
        expect({ path, status: res.status, body: body.status }).toEqual({ path, status: 200, body: 'ok' });
        expect(Object.keys(body.details).sort()).toEqual(expectedChecks);
        for (const check of expectedChecks) expect({ check, status: body.details[check]!.status }).toEqual({ check, status: 'up' });
      }
      expect((await get('/health/live')).status).toBe(200);
    });

    it('exposes Prometheus metrics, including HTTP request durations by route', async () => {
      await get('/');
      const res = await get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
      const text = await res.text();
      expect(text).toContain('# TYPE http_request_duration_seconds histogram');
      expect(text).toMatch(new RegExp(`http_request_duration_seconds_count\\{service="${name}",method="GET",route="/",status_code="200"\\} [1-9]`));
      expect(text).toMatch(new RegExp(`process_cpu_user_seconds_total\\{service="${name}"\\} `));
    });

    it('answers an unknown route with problem+json', async () => {
      const res = await get('/no-such-route');
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ status: 404, code: 'NOT_FOUND', title: 'Not Found', instance: '/no-such-route' });
    });

    it(`keeps the Kafka runtime tables and its migration record in the "${name}" schema, and migrates once`, async () => {
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
          [config.database.schema],
        );
        expect(rows.map((r) => r.table_name)).toEqual(
          expect.arrayContaining(['consumer_offsets', 'outbox', 'processed_events', 'schema_migrations']),
        );
      } finally {
        await client.end();
      }
      expect(await migrate()).toEqual({ applied: [] });
    }, SETUP_TIMEOUT_MS);

    subject.verify?.(() => service);

    it('reports 503 naming Kafka when its brokers cannot be reached, while staying live', async () => {
      const unreachable = `127.0.0.1:${await closedPort()}`;
      const degraded = await bootstrapService({ ...definition, config: loadConfig(subject.config, { ...env, KAFKA_BROKERS: unreachable }) });
      try {
        const res = await get('/health/ready', degraded);
        expect(res.status).toBe(503);
        const body = (await res.json()) as {
          status: string;
          error: Record<string, { status: string; message?: string; brokers?: string }>;
          info: Record<string, { status: string }>;
        };
        expect(body.status).toBe('error');
        // Checks that need Kafka themselves (a token registry following its topic) fail with it.
        expect(Object.keys(body.error)).toContain('kafka');
        expect(Object.keys(body.error).filter((check) => check !== 'kafka' && !(subject.kafkaDependentChecks ?? []).includes(check))).toEqual([]);
        expect(body.error.kafka).toMatchObject({ status: 'down', brokers: unreachable });
        expect(body.info.database).toEqual({ status: 'up' });
        expect((await get('/health', degraded)).status).toBe(503);
        expect((await get('/health/live', degraded)).status).toBe(200);
      } finally {
        await degraded.close();
      }
    }, SETUP_TIMEOUT_MS);
  });
}
