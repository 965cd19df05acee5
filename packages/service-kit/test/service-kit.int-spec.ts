import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { loadConfig, serviceConfig, type ServiceConfig } from '@cdp/config';
import { TOPICS, type IngestedEvent } from '@cdp/contracts';
import { createKafka, EventProducer, silentLogger } from '@cdp/kafka';
import { createTestDatabase, deleteTopicsWithPrefix, testInfra, uniqueTopicPrefix, type TestDatabase } from '@cdp/testing';
import { bootstrapService, createRootLogger, migrateService, type RunningService } from '../src';
import { FIXTURE_SCHEMA, ordersService, ordersWithConsumerService, SearchIndex } from './fixtures/orders.fixture';

const ordersConfig = serviceConfig({ name: 'orders', port: 0, schema: FIXTURE_SCHEMA });

async function freshConfig(db: TestDatabase, topicPrefix = uniqueTopicPrefix('orders')): Promise<ServiceConfig> {
  return loadConfig(ordersConfig, {
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.url,
    KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: topicPrefix,
  });
}

const TIMEOUT_MS = 60_000;

const quietLogger = () => createRootLogger({ service: 'orders', version: 'test', level: 'silent' });

describe('a service on the service kit', () => {
  let db: TestDatabase;
  let service: RunningService;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${service.url}${path}`, { headers });

  beforeAll(async () => {
    db = await createTestDatabase('service-kit');
    const config = await freshConfig(db);
    await migrateService(ordersService, config, quietLogger());
    service = await bootstrapService({ ...ordersService, config });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await service?.close();
    await db?.drop();
  }, TIMEOUT_MS);

  it("lets the service configure its app before it listens, with the kit's middleware in place and its own routes after", async () => {
    const seen: string[] = [];
    const configured = await bootstrapService({
      ...ordersService,
      config: await freshConfig(db),
      configureApp: (app, config) => {
        seen.push(config.name);
        app.set('etag', false);
        app.getHttpAdapter().get('/configured', (_req: unknown, res: { json(body: unknown): void }) => res.json({ configured: true }));
      },
    });
    try {
      expect(seen).toEqual(['orders']);
      const res = await fetch(`${configured.url}/configured`);
      expect(await res.json()).toEqual({ configured: true });
      expect(res.headers.get('x-powered-by')).toBeNull();
      const order = await fetch(`${configured.url}/orders/missing`);
      expect(order.status).toBe(404);
      expect((await fetch(`${configured.url}/health/live`)).headers.get('etag')).toBeNull();
    } finally {
      await configured.close();
    }
  });

  it('answers a coded error with its status and code as problem+json', async () => {
    const res = await get('/orders/missing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toEqual({
      type: 'urn:cdp:problem:order-not-found',
      title: 'Not Found',
      status: 404,
      detail: 'order missing does not exist',
      code: 'ORDER_NOT_FOUND',
      instance: '/orders/missing',
    });
  });

  it('answers an unexpected error with a 500 that reveals nothing of it', async () => {
    const res = await get('/orders/crash');
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', detail: 'The service failed to handle the request.' });
    expect(body).not.toContain('secret');
  });

  it('labels request durations by route template, and unmatched requests under one label', async () => {
    await get('/orders/1001');
    await get('/orders/1002');
    await get('/definitely/not/here');
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toMatch(/http_request_duration_seconds_count\{service="orders",method="GET",route="\/orders\/:id",status_code="200"\} 2/);
    expect(metrics).toMatch(/http_request_duration_seconds_count\{service="orders",method="GET",route="<unmatched>",status_code="404"\} 1/);
    expect(metrics).not.toContain('/orders/1001');
  });

  it('keeps a caller\'s request id and makes one up otherwise', async () => {
    expect((await get('/', { 'x-request-id': 'checkout-7f3a' })).headers.get('x-request-id')).toBe('checkout-7f3a');
    expect((await get('/')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('includes checks registered by the service\'s modules in readiness, and 503s naming one that fails', async () => {
    const ready = (await (await get('/health/ready')).json()) as { details: Record<string, unknown> };
    expect(ready.details['search-index']).toEqual({ status: 'up', documents: 42 });

    const index = service.app.get(SearchIndex);
    index.available = false;
    try {
      const res = await get('/health/ready');
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: Record<string, unknown> };
      expect(body.error).toEqual({ 'search-index': { status: 'down', message: 'search index is rebuilding' } });
      expect((await get('/health/live')).status).toBe(200);
    } finally {
      index.available = true;
    }
    expect((await get('/health/ready')).status).toBe(200);
  });

  it('attaches no Kafka consumer when the service declares no batch handler', () => {
    expect(service.batchHandlers).toEqual([]);
  });
});

describe('migrate', () => {
  it('applies each migration once when several instances migrate at the same time', async () => {
    const db = await createTestDatabase('kit-migrate');
    try {
      const config = await freshConfig(db);
      const reports = await Promise.all([1, 2, 3].map(() => migrateService(ordersService, config, quietLogger())));
      expect(reports.flatMap((r) => r.applied)).toEqual(['CreateOrdersSchema1767225600000']);

      const client = new Client({ connectionString: db.url });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT name FROM ${FIXTURE_SCHEMA}.schema_migrations`);
        expect(rows).toEqual([{ name: 'CreateOrdersSchema1767225600000' }]);
      } finally {
        await client.end();
      }
    } finally {
      await db.drop();
    }
  }, TIMEOUT_MS);
});

describe('a service with a batch handler', () => {
  it('consumes its topic through the Kafka batch transport, committing into its own schema', async () => {
    const db = await createTestDatabase('kit-consumer');
    const prefix = uniqueTopicPrefix('kit-consumer');
    const config = await freshConfig(db, prefix);
    await migrateService(ordersWithConsumerService, config, quietLogger());
    const service = await bootstrapService({ ...ordersWithConsumerService, config });
    const producer = new EventProducer(createKafka({ brokers: config.kafka.brokers, clientId: 'kit-it', logger: silentLogger }), {
      serde: new AvroSerde(new InRepoSchemaRegistry()),
      topicPrefix: prefix,
      logger: silentLogger,
    });
    const client = new Client({ connectionString: db.url });
    try {
      expect(service.batchHandlers).toEqual(['IngestedEventsProjection.handle']);
      await producer.connect();
      const events = Array.from({ length: 20 }, (_, i) => ingestedEvent(`anon-${i % 3}`));
      await producer.send(events.map((value) => ({ topic: TOPICS.ingestEvents, key: value.anonymousId!, schema: 'cdp.ingest.IngestedEvent', value })));

      await client.connect();
      const seen = await waitFor(
        async () => (await client.query<{ event_id: string }>(`SELECT event_id FROM ${FIXTURE_SCHEMA}.seen`)).rows.map((r) => r.event_id),
        (ids) => ids.length >= events.length,
      );
      expect(new Set(seen)).toEqual(new Set(events.map((e) => e.messageId)));
      // The runtime's metrics are served from the service's own registry.
      expect(await (await fetch(`${service.url}/metrics`)).text()).toMatch(/cdp_kafka_messages_total\{[^}]*service="orders"/);
    } finally {
      await client.end().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await service.close();
      await db.drop();
      await deleteTopicsWithPrefix(config.kafka.brokers, prefix);
    }
  }, 2 * TIMEOUT_MS);
});

function ingestedEvent(anonymousId: string): IngestedEvent {
  const now = Date.UTC(2026, 10, 1, 12, 0, 0);
  return {
    messageId: randomUUID(),
    type: 'track',
    event: 'Product Viewed',
    name: null,
    anonymousId,
    userId: null,
    previousId: null,
    groupId: null,
    timestamp: now,
    originalTimestamp: now,
    sentAt: now,
    receivedAt: now,
    sourceId: 'web-shop',
    channel: 'web',
    context: '{}',
    traits: '{}',
    properties: JSON.stringify({ sku: 'CD-001' }),
    commerce: null,
    integrations: '{}',
  };
}

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
