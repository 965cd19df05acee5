import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { loadConfig, type EnvSource } from '@cdp/config';
import { type IngestedEvent, type ProfileSplit, type ProfilesMerged, type ResolvedEvent, TOPICS } from '@cdp/contracts';
import { ensureTopics, EventProducer } from '@cdp/kafka';
import { bootstrapService, createRootLogger, migrateService, type RunningService } from '@cdp/service-kit';
import { createTestDatabase, deleteTopicsWithPrefix, testInfra, TopicReader, uniqueTopicPrefix, type TestDatabase } from '@cdp/testing';
import { profileConfig, type ProfileConfig } from '../../src/config';
import { profileService } from '../../src/profile.definition';

export const SETUP_TIMEOUT_MS = 120_000;
export const ADMIN_TOKEN = 'cdp-dev-admin-token';

const TOPICS_USED = [
  TOPICS.ingestDeadLetter,
  TOPICS.identityResolvedEvents,
  TOPICS.identityProfileMerged,
  TOPICS.profileChanged,
  TOPICS.privacyErasureRequested,
  TOPICS.privacyErasureConfirmed,
  TOPICS.authTokens,
];
const CONSUMED = [TOPICS.identityResolvedEvents, TOPICS.identityProfileMerged, TOPICS.privacyErasureConfirmed];

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A profile app in-process, with its own database and topic prefix; the test plays identity and the other services. */
export interface ProfileHarness {
  service: RunningService;
  url: string;
  env: EnvSource;
  config: ProfileConfig;
  db: TestDatabase;
  kafka: Kafka;
  serde: AvroSerde;
  prefix: string;
  /** Produces records onto the (prefixed) topic, keyed as identity keys them. */
  resolve(events: ResolvedEvent[]): Promise<void>;
  merged(event: ProfilesMerged): Promise<void>;
  split(event: ProfileSplit): Promise<void>;
  produce(topic: { name: string }, schema: string, key: string, value: unknown): Promise<void>;
  read<T>(def: { name: string }): Promise<TopicReader<T>>;
  call<T = Record<string, unknown>>(method: string, path: string, options?: { token?: string | null; body?: unknown }): Promise<Answer<T>>;
  /** Creates a token of the role (with the bootstrap token) and returns the secret. */
  token(role: 'admin' | 'marketer' | 'analyst' | 'operator', scopes?: string[]): Promise<string>;
  sql<R>(text: string, values?: unknown[]): Promise<R[]>;
  /** Resolves once the consumer group has stored offsets for every message produced so far to the consumed topics. */
  caughtUp(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startProfile(label: string, extraEnv: Record<string, string> = {}): Promise<ProfileHarness> {
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
  const config = loadConfig(profileConfig, env);
  const kafka = new Kafka({ clientId: `it-${label}`, brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, TOPICS_USED, prefix);
  await admin.disconnect();
  await migrateService(profileService, config, createRootLogger({ service: 'profile', version: 'test', level: config.logLevel }));
  const serde = new AvroSerde(new InRepoSchemaRegistry());
  const producer = new EventProducer(kafka, { serde, topicPrefix: prefix });
  await producer.connect();
  const service = await bootstrapService({ ...profileService, config });
  const readers: TopicReader<unknown>[] = [];
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const sql = async <R>(text: string, values: unknown[] = []) => (await pg.query(text, values)).rows as R[];
  const call = async <T>(method: string, path: string, options: { token?: string | null; body?: unknown } = {}): Promise<Answer<T>> => {
    const token = options.token === undefined ? ADMIN_TOKEN : options.token;
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : {}) as T };
  };
  await waitFor(async () => (await fetch(`${service.url}/health/ready`)).status === 200, 'profile ready', 60_000);

  return {
    service,
    url: service.url,
    env,
    config,
    db,
    kafka,
    serde,
    prefix,
    async resolve(events) {
      await producer.send(events.map((value) => ({ topic: TOPICS.identityResolvedEvents, key: value.data.profileId, schema: 'cdp.identity.ResolvedEvent', value })));
    },
    async merged(value) {
      await producer.send([{ topic: TOPICS.identityProfileMerged, key: value.data.survivorProfileId, schema: 'cdp.identity.ProfilesMerged', value }]);
    },
    async split(value) {
      await producer.send([{ topic: TOPICS.identityProfileMerged, key: value.data.profileId, schema: 'cdp.identity.ProfileSplit', value }]);
    },
    async produce(topic, schema, key, value) {
      await producer.send([{ topic, key, schema, value }]);
    },
    async read<T>(def: { name: string }) {
      const reader = await TopicReader.start<T>(kafka, `${prefix}${def.name}`, serde);
      readers.push(reader as TopicReader<unknown>);
      return reader;
    },
    call,
    async token(role, scopes) {
      const res = await call<{ token: string }>('POST', '/v1/tokens', { body: { name: `it ${role}`, role, ...(scopes ? { scopes } : {}) } });
      if (res.status !== 201) throw new Error(`creating a ${role} token answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.token;
    },
    sql,
    async caughtUp(timeoutMs = 60_000) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const ends = new Map<string, number>();
        for (const def of CONSUMED) {
          const topic = `${prefix}${def.name}`;
          for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, Number(p.high));
        }
        await waitFor(
          async () => {
            const rows = await sql<{ topic: string; partition: number; next_offset: string }>(`SELECT topic, partition, next_offset FROM "${config.database.schema}".consumer_offsets`);
            const stored = new Map(rows.map((r) => [`${r.topic}/${r.partition}`, Number(r.next_offset)]));
            return [...ends].every(([key, end]) => end === 0 || (stored.get(key) ?? 0) >= end);
          },
          'profile caught up',
          timeoutMs,
        );
      } finally {
        await admin.disconnect();
      }
    },
    async close() {
      for (const reader of readers) await reader.stop();
      await service.close();
      await producer.disconnect();
      await pg.end();
      await db.drop();
      await deleteTopicsWithPrefix(infra.kafkaBrokers, prefix);
    },
  };
}

export async function waitFor(probe: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let sequence = 0;
const T0 = Date.UTC(2026, 0, 1);

/** A resolved event as identity would emit it; `fields` override the ingested event's defaults. */
export function resolvedEvent(
  profileId: string,
  fields: Partial<Omit<IngestedEvent, 'traits' | 'context' | 'properties'>> & { traits?: unknown; context?: unknown; properties?: unknown } = {},
  identifiers: Array<{ type: string; value: string }> = [],
): ResolvedEvent {
  sequence += 1;
  const json = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? {}));
  const timestamp = fields.timestamp ?? T0 + sequence * 1000;
  const event: IngestedEvent = {
    messageId: `it-${process.pid}-${Date.now().toString(36)}-${sequence}`,
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
  return {
    id: event.messageId,
    type: 'EventResolved',
    occurredAt: timestamp,
    data: { profileId, profileCreated: false, identifiers, event },
    metadata: { correlationId: event.messageId, causationId: event.messageId, producer: 'identity', schemaVersion: 1 },
  };
}

export function mergeOf(mergeId: string, survivorProfileId: string, mergedProfileIds: string[], occurredAt = Date.now()): ProfilesMerged {
  return {
    id: mergeId,
    type: 'ProfilesMerged',
    occurredAt,
    data: { mergeId, survivorProfileId, mergedProfileIds, rule: 'email', identifiers: [], sourceEventId: null },
    metadata: { correlationId: null, causationId: null, producer: 'identity', schemaVersion: 1 },
  };
}

export function splitOf(undoneMergeId: string | null, profileId: string, restoredProfileIds: string[], movedIdentifiers: Array<{ type: string; value: string }> = []): ProfileSplit {
  const splitId = `split-${undoneMergeId ?? profileId}-${Date.now()}`;
  return {
    id: splitId,
    type: 'ProfileSplit',
    occurredAt: Date.now(),
    data: { splitId, undoneMergeId, profileId, restoredProfileIds, movedIdentifiers, reason: 'merge_undone', requestedBy: 'it', sourceEventId: null },
    metadata: { correlationId: null, causationId: null, producer: 'identity', schemaVersion: 1 },
  };
}
