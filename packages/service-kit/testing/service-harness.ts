import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { loadConfig, type ConfigSchema, type EnvSource, type ServiceConfig } from '@cdp/config';
import { ensureTopics, EventProducer, type OutgoingEvent, quoteIdent, type TopicSpecs } from '@cdp/kafka';
import { createTestDatabase, deleteTopicsWithPrefix, testInfra, TopicReader, uniqueTopicPrefix, type TestDatabase } from '@cdp/testing';
import { bootstrapService, createRootLogger, migrateService, type RunningService, type ServiceDefinition } from '../src';

/** Generous: a database, migrations and Kafka groups on a machine that may be running other suites. */
export const HARNESS_TIMEOUT_MS = 120_000;

/** The bootstrap admin token services accept in development and test. */
export const TEST_ADMIN_TOKEN = 'cdp-dev-admin-token';

export interface ServiceHarnessOptions<C extends ServiceConfig> {
  label: string;
  definition: ServiceDefinition<C>;
  config: ConfigSchema<C>;
  /** Topics created (with the harness's prefix) before the service starts. */
  topics: TopicSpecs;
  /** Topics the service consumes, for `caughtUp`. */
  consumed?: ReadonlyArray<{ name: string }>;
  env?: Record<string, string>;
  /** Use the topics of an existing harness (its owner deletes them), e.g. to replay them. */
  topicPrefix?: string;
}

/** One service in-process with its own database and topic prefix, and what its tests need around it. */
export interface ServiceHarness<C extends ServiceConfig> {
  service: RunningService;
  url: string;
  env: EnvSource;
  config: C;
  db: TestDatabase;
  kafka: Kafka;
  serde: AvroSerde;
  prefix: string;
  topic(def: { name: string }): string;
  /** Produces events onto their (prefixed) topics, encoded with the in-repo registry. */
  emit(events: OutgoingEvent[]): Promise<void>;
  /** A reader of a prefixed topic, from the beginning. */
  read<T>(def: { name: string }): Promise<TopicReader<T>>;
  /** Another instance on the same database and topics (the same consumer groups). */
  startAnother(overrides?: Record<string, string>): Promise<RunningService>;
  /** HTTP call; the bootstrap admin token unless `token` says otherwise (null: none). */
  call(method: string, path: string, body?: unknown, options?: { token?: string | null; on?: RunningService }): Promise<Response>;
  sql<R>(text: string, values?: unknown[]): Promise<R[]>;
  /** Resolves once the service's consumer groups stored offsets for everything produced so far to the consumed topics. */
  caughtUp(timeoutMs?: number): Promise<void>;
  /** Stops every instance (the database and topics stay until close). */
  stopServices(): Promise<void>;
  close(): Promise<void>;
}

export async function startServiceHarness<C extends ServiceConfig>(options: ServiceHarnessOptions<C>): Promise<ServiceHarness<C>> {
  const infra = testInfra();
  const db = await createTestDatabase(options.label);
  const prefix = options.topicPrefix ?? uniqueTopicPrefix(options.label);
  const env: EnvSource = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: db.url,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    ...options.env,
  };
  const config = loadConfig(options.config, env);
  const kafka = new Kafka({ clientId: `it-${options.label}`, brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, options.topics, prefix);
  await admin.disconnect();
  await migrateService(options.definition, config, createRootLogger({ service: options.definition.name, version: 'test', level: config.logLevel }));
  const serde = new AvroSerde(new InRepoSchemaRegistry());
  const producer = new EventProducer(kafka, { serde, topicPrefix: prefix });
  await producer.connect();
  const service = await bootstrapService({ ...options.definition, config });
  const others: RunningService[] = [];
  const readers: TopicReader<unknown>[] = [];
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const sql = async <R>(text: string, values: unknown[] = []) => (await pg.query(text, values)).rows as R[];
  let stopped: Promise<void> | undefined;
  const stopServices = () =>
    (stopped ??= (async () => {
      for (const other of others) await other.close();
      await service.close();
    })());

  return {
    service,
    url: service.url,
    env,
    config,
    db,
    kafka,
    serde,
    prefix,
    topic: (def) => `${prefix}${def.name}`,
    async emit(events) {
      await producer.send(events);
    },
    async read<T>(def: { name: string }) {
      const reader = await TopicReader.start<T>(kafka, `${prefix}${def.name}`, serde);
      readers.push(reader as TopicReader<unknown>);
      return reader;
    },
    async startAnother(overrides = {}) {
      const other = await bootstrapService({ ...options.definition, config: loadConfig(options.config, { ...env, ...overrides }) });
      others.push(other);
      return other;
    },
    call(method, path, body, { token = TEST_ADMIN_TOKEN, on = service } = {}) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return fetch(`${on.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    },
    sql,
    async caughtUp(timeoutMs = 60_000) {
      const topics = (options.consumed ?? []).map((t) => `${prefix}${t.name}`);
      const admin = kafka.admin();
      await admin.connect();
      try {
        const ends = new Map<string, number>();
        for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, Number(p.high));
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const rows = await sql<{ topic: string; partition: number; next_offset: string }>(
            `SELECT topic, partition, next_offset FROM ${quoteIdent(config.database.schema)}.consumer_offsets WHERE topic = ANY($1::text[])`,
            [topics],
          );
          const stored = new Map(rows.map((r) => [`${r.topic}/${r.partition}`, Number(r.next_offset)]));
          if ([...ends].every(([key, end]) => end === 0 || (stored.get(key) ?? 0) >= end)) return;
          if (Date.now() > deadline) throw new Error(`${options.definition.name} did not catch up with ${topics.join(', ')} within ${timeoutMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await admin.disconnect();
      }
    },
    stopServices,
    async close() {
      for (const reader of readers) await reader.stop();
      await stopServices();
      await producer.disconnect();
      await pg.end();
      await db.drop();
      if (!options.topicPrefix) await deleteTopicsWithPrefix(infra.kafkaBrokers, prefix);
    },
  };
}
