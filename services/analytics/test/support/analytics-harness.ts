import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { createClickHouse, type ClickHouse } from '@cdp/clickhouse';
import { loadConfig, type EnvSource } from '@cdp/config';
import { TOPICS, type TopicDefinition } from '@cdp/contracts';
import { createConsoleLogger, ensureTopics, EventProducer, type OutgoingEvent } from '@cdp/kafka';
import { bootstrapService, createRootLogger, migrateService, type RunningService } from '@cdp/service-kit';
import { createTestDatabase, deleteTopicsWithPrefix, testDataDir, testInfra, uniqueTopicPrefix, type TestDatabase } from '@cdp/testing';
import { analyticsService } from '../../src/analytics.definition';
import { analyticsConfig, DEVELOPMENT_API_TOKEN, type AnalyticsConfig } from '../../src/config';
import { HISTORY_GROUP } from '../../src/consumers/history.consumer';
import { CLICKHOUSE } from '../../src/persistence/clickhouse.provider';

export const SETUP_TIMEOUT_MS = 120_000;

/**
 * An analytics app in-process (the embedded ClickHouse data directory can be open in one process
 * only), with its own Postgres database, topic prefix and ClickHouse data directory (or database,
 * against a ClickHouse server), and a producer for the topics it consumes.
 */
export interface AnalyticsHarness {
  service: RunningService;
  config: AnalyticsConfig;
  prefix: string;
  /** Produces records to a topic (logical name) and remembers how many, for waitUntilConsumed. */
  produce(topic: TopicDefinition, events: ReadonlyArray<Omit<OutgoingEvent, 'topic'>>): Promise<void>;
  /** Resolves once the history consumer has committed everything produced to the topic so far. */
  waitUntilConsumed(topic: TopicDefinition, timeoutMs?: number): Promise<void>;
  /** An HTTP call with the API token (or the given Authorization header). */
  api(method: string, path: string, body?: unknown, authorization?: string | null): Promise<Response>;
  /** The service's own ClickHouse connection. */
  clickhouse(): ClickHouse;
  /** Rows of a query against ClickHouse, as the service sees it. */
  rows<T>(sql: string): Promise<T[]>;
  /** Postgres rows of the test database. */
  sql<T>(text: string, values?: unknown[]): Promise<T[]>;
  /** Closes the app, runs `whileStopped`, and starts it again on the same database, topics and ClickHouse data. */
  restart(whileStopped?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export async function startAnalytics(label: string, extraEnv: Record<string, string> = {}): Promise<AnalyticsHarness> {
  const infra = testInfra();
  const db: TestDatabase = await createTestDatabase(label);
  const prefix = uniqueTopicPrefix(label);
  const clickhouseEnv: Record<string, string> = infra.clickhouseUrl
    ? { CLICKHOUSE_URL: infra.clickhouseUrl, CLICKHOUSE_DATABASE: `cdp_test_${randomBytes(4).toString('hex')}` }
    : { CLICKHOUSE_DATA_DIR: testDataDir(label) };
  const env: EnvSource = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: db.url,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    ...clickhouseEnv,
    ...extraEnv,
  };
  const config = loadConfig(analyticsConfig, env);
  const kafka = new Kafka({ clientId: `it-${label}`, brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [TOPICS.identityResolvedEvents, TOPICS.identityProfileMerged], prefix);
  await admin.disconnect();
  await migrateService(analyticsService, config, createRootLogger({ service: 'analytics', version: 'test', level: config.logLevel }));
  let service = await bootstrapService({ ...analyticsService, config });
  const producer = new EventProducer(kafka, { serde: new AvroSerde(new InRepoSchemaRegistry()), topicPrefix: prefix, logger: createConsoleLogger('error') });
  await producer.connect();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const produced = new Map<string, number>();

  const sql = async <T>(text: string, values: unknown[] = []) => (await pg.query(text, values)).rows as T[];
  const clickhouse = () => service.app.get<ClickHouse>(CLICKHOUSE);

  return {
    get service() {
      return service;
    },
    config,
    prefix,
    async produce(topic, events) {
      await producer.send(events.map((e) => ({ ...e, topic })));
      produced.set(topic.name, (produced.get(topic.name) ?? 0) + events.length);
    },
    async waitUntilConsumed(topic, timeoutMs = 60_000) {
      const expected = produced.get(topic.name) ?? 0;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await sql<{ n: string }>(
          `SELECT COALESCE(sum(next_offset), 0)::text AS n FROM "${config.database.schema}".consumer_offsets WHERE group_id = $1 AND topic = $2`,
          [`${prefix}${HISTORY_GROUP}`, `${prefix}${topic.name}`],
        );
        if (Number(row!.n) >= expected) return;
        if (Date.now() > deadline) throw new Error(`the history consumer committed ${row!.n} of ${expected} records of ${topic.name} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    api(method, path, body, authorization = `Bearer ${DEVELOPMENT_API_TOKEN}`) {
      return fetch(`${service.url}${path}`, {
        method,
        headers: {
          ...(authorization === null ? {} : { authorization }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    },
    clickhouse,
    async rows<T>(query: string) {
      return (await clickhouse().client.query({ query, format: 'JSONEachRow' })).json<T>();
    },
    sql,
    async restart(whileStopped) {
      await service.close();
      await whileStopped?.();
      service = await bootstrapService({ ...analyticsService, config });
    },
    async close() {
      await producer.disconnect();
      await service.close();
      await pg.end();
      if (infra.clickhouseUrl) {
        // The service's connection is closed by now; a server keeps the test database otherwise.
        const server = await createClickHouse(config.clickhouse);
        await server.client.command({ query: `DROP DATABASE IF EXISTS ${config.clickhouse.database}` });
        await server.close();
      }
      await db.drop();
      await deleteTopicsWithPrefix(infra.kafkaBrokers, prefix);
    },
  };
}

export function resolvedRecords(events: ReadonlyArray<{ data: { profileId: string } }>): Array<Omit<OutgoingEvent, 'topic'>> {
  return events.map((value) => ({ key: value.data.profileId, schema: 'cdp.identity.ResolvedEvent', value }));
}

/** Polls `probe` until `accept` holds (the sink is asynchronous); fails with the last value seen. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
