import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { loadConfig, type EnvSource } from '@cdp/config';
import { ingestedEventKey, type IngestedEvent, TOPICS } from '@cdp/contracts';
import { ensureTopics, EventProducer, type OutgoingEvent } from '@cdp/kafka';
import { bootstrapService, createRootLogger, migrateService, type RunningService } from '@cdp/service-kit';
import { createTestDatabase, deleteTopicsWithPrefix, testInfra, TopicReader, uniqueTopicPrefix, type TestDatabase } from '@cdp/testing';
import { identityConfig, type IdentityConfig } from '../../src/config';
import { identityService } from '../../src/identity.definition';

export const SETUP_TIMEOUT_MS = 120_000;
export const ADMIN_TOKEN = 'cdp-dev-admin-token';

const IDENTITY_TOPICS = [TOPICS.authTokens, TOPICS.ingestEvents, TOPICS.ingestDeadLetter, TOPICS.identityResolvedEvents, TOPICS.identityProfileMerged, TOPICS.identityMergeCapped, TOPICS.privacyErasureRequested, TOPICS.privacyErasureConfirmed];

/** An identity app (or several) in-process, with its own database and topic prefix. */
export interface IdentityHarness {
  service: RunningService;
  url: string;
  env: EnvSource;
  config: IdentityConfig;
  db: TestDatabase;
  kafka: Kafka;
  serde: AvroSerde;
  prefix: string;
  topic(def: { name: string }): string;
  /** Produces ingested events, keyed as ingestion keys them. */
  send(events: IngestedEvent[]): Promise<void>;
  /** Produces platform events (e.g. ErasureRequested) onto their topics. */
  emit(events: OutgoingEvent[]): Promise<void>;
  /** A reader of one of the prefixed topics, from the beginning. */
  read<T>(def: { name: string }): Promise<TopicReader<T>>;
  /** Another instance of the service on the same database and topics (same consumer group). */
  startAnother(overrides?: Record<string, string>): Promise<RunningService>;
  /** HTTP call with the bootstrap admin token. */
  call(method: string, path: string, body?: unknown, on?: RunningService): Promise<Response>;
  sql<R>(text: string, values?: unknown[]): Promise<R[]>;
  /** Stops every instance of the service (the harness's Kafka and database stay until close). */
  stopServices(): Promise<void>;
  /** Resolves once the consumer group has stored offsets for every message produced so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * `options.topicPrefix` points a new instance (with a database of its own) at the topics of an existing
 * harness, e.g. to replay them; those topics are then left for their owner to delete.
 */
export async function startIdentity(label: string, extraEnv: Record<string, string> = {}, options: { topicPrefix?: string } = {}): Promise<IdentityHarness> {
  const infra = testInfra();
  const db = await createTestDatabase(label);
  const prefix = options.topicPrefix ?? uniqueTopicPrefix(label);
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
  const config = loadConfig(identityConfig, env);
  const kafka = new Kafka({ clientId: `it-${label}`, brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, IDENTITY_TOPICS, prefix);
  await admin.disconnect();
  await migrateService(identityService, config, createRootLogger({ service: 'identity', version: 'test', level: config.logLevel }));
  const serde = new AvroSerde(new InRepoSchemaRegistry());
  const producer = new EventProducer(kafka, { serde, topicPrefix: prefix });
  await producer.connect();
  const service = await bootstrapService({ ...identityService, config });
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
    async send(events) {
      await producer.send(events.map((value) => ({ topic: TOPICS.ingestEvents, key: ingestedEventKey(value), schema: 'cdp.ingest.IngestedEvent', value })));
    },
    async emit(events) {
      await producer.send(events);
    },
    async read<T>(def: { name: string }) {
      const reader = await TopicReader.start<T>(kafka, `${prefix}${def.name}`, serde);
      readers.push(reader as TopicReader<unknown>);
      return reader;
    },
    async startAnother(overrides = {}) {
      const other = await bootstrapService({ ...identityService, config: loadConfig(identityConfig, { ...env, ...overrides }) });
      others.push(other);
      return other;
    },
    call(method, path, body, on = service) {
      return fetch(`${on.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    },
    sql,
    async caughtUp(timeoutMs = 60_000) {
      const topic = `${prefix}${TOPICS.ingestEvents.name}`;
      const admin = kafka.admin();
      await admin.connect();
      try {
        const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const rows = await sql<{ partition: number; next_offset: string }>(
            `SELECT partition, next_offset FROM identity.consumer_offsets WHERE topic = $1`,
            [topic],
          );
          const stored = new Map(rows.map((r) => [r.partition, Number(r.next_offset)]));
          if ([...ends].every(([p, end]) => end === 0 || (stored.get(p) ?? 0) >= end)) return;
          if (Date.now() > deadline) throw new Error(`identity did not catch up with ${topic} within ${timeoutMs} ms`);
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

let sequence = 0;

/** An ingested event as ingestion would produce it; `fields` override the defaults. */
export function ingested(fields: Partial<Omit<IngestedEvent, 'traits' | 'context' | 'properties'>> & { traits?: unknown; context?: unknown; properties?: unknown } = {}): IngestedEvent {
  sequence += 1;
  const json = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? {}));
  const timestamp = fields.timestamp ?? 1_767_225_600_000 + sequence * 1000;
  return {
    messageId: `it-${process.pid}-${Date.now()}-${sequence}`,
    type: 'track',
    event: 'Product Viewed',
    name: null,
    anonymousId: null,
    userId: null,
    previousId: null,
    groupId: null,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: timestamp,
    sourceId: 'src-web',
    channel: 'web',
    commerce: null,
    integrations: '{}',
    ...fields,
    timestamp,
    context: json(fields.context),
    traits: json(fields.traits),
    properties: json(fields.properties),
  };
}
