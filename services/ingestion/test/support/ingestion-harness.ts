import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { loadConfig, type EnvSource } from '@cdp/config';
import { TOPICS } from '@cdp/contracts';
import { ensureTopics } from '@cdp/kafka';
import { bootstrapService, createRootLogger, migrateService, type RunningService } from '@cdp/service-kit';
import { createTestDatabase, deleteTopicsWithPrefix, testInfra, uniqueTopicPrefix, type TestDatabase } from '@cdp/testing';

export { TopicReader, type ConsumedRecord } from '@cdp/testing';
import { DEVELOPMENT_BOOTSTRAP_ADMIN_TOKEN } from '@cdp/security';
import { ingestionConfig, type IngestionConfig } from '../../src/config';
import { ingestionService } from '../../src/ingestion.definition';

export const SETUP_TIMEOUT_MS = 90_000;

/** An ingestion app in-process, with its own database and topic prefix, and readers of its topics. */
export interface IngestionHarness {
  service: RunningService;
  url: string;
  env: EnvSource;
  config: IngestionConfig;
  db: TestDatabase;
  kafka: Kafka;
  serde: AvroSerde;
  /** The topic prefix of this app (KAFKA_TOPIC_PREFIX). */
  prefix: string;
  topic(def: { name: string }): string;
  /** Starts another app on the same database and topics, with some variables changed. */
  startAnother(overrides: Record<string, string>): Promise<RunningService>;
  /** A management API call with the platform's bootstrap admin token. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  /** A source created through the management API, with its write key. */
  createSource(fields?: Record<string, unknown>): Promise<{ id: string; writeKey: string }>;
  sql<R>(text: string, values?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

export async function startIngestion(label: string, extraEnv: Record<string, string> = {}): Promise<IngestionHarness> {
  const infra = testInfra();
  const db = await createTestDatabase(label);
  const prefix = uniqueTopicPrefix(label);
  const env: EnvSource = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: db.url,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    ...extraEnv,
  };
  const config = loadConfig(ingestionConfig, env);
  const kafka = new Kafka({ clientId: `it-${label}`, brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [TOPICS.authTokens, TOPICS.ingestEvents, TOPICS.ingestDeadLetter], prefix);
  await admin.disconnect();
  await migrateService(ingestionService, config, createRootLogger({ service: 'ingestion', version: 'test', level: config.logLevel }));
  const service = await bootstrapService({ ...ingestionService, config });
  const others: RunningService[] = [];
  const pg = new Client({ connectionString: db.url });
  await pg.connect();

  const admin$ = (method: string, path: string, body?: unknown) =>
    fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${DEVELOPMENT_BOOTSTRAP_ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  return {
    service,
    url: service.url,
    env,
    config,
    db,
    kafka,
    serde: new AvroSerde(new InRepoSchemaRegistry()),
    prefix,
    topic: (def) => `${prefix}${def.name}`,
    async startAnother(overrides) {
      const other = await bootstrapService({ ...ingestionService, config: loadConfig(ingestionConfig, { ...env, ...overrides }) });
      others.push(other);
      return other;
    },
    admin: admin$,
    async createSource(fields = {}) {
      const res = await admin$('POST', '/v1/sources', { name: `${label} source`, channel: 'web', ...fields });
      if (res.status !== 201) throw new Error(`creating a source answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { id: string; writeKey: string };
    },
    async sql<R>(text: string, values: unknown[] = []) {
      return (await pg.query(text, values)).rows as R[];
    },
    async close() {
      for (const other of others) await other.close();
      await service.close();
      await pg.end();
      await db.drop();
      await deleteTopicsWithPrefix(infra.kafkaBrokers, prefix);
    },
  };
}

export function basicAuth(writeKey: string): string {
  return `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
}

/** POST a Segment call with Basic auth; `body` is sent as is when it is a string or Buffer. */
export function postSegment(url: string, path: string, writeKey: string | null, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(writeKey === null ? {} : { authorization: basicAuth(writeKey) }), ...headers },
    body: payload,
  });
}
