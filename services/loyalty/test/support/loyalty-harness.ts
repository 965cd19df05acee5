import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { loadConfig, type EnvSource } from '@cdp/config';
import { type IngestedEvent, type ProfileSplit, type ProfilesMerged, type ResolvedEvent, TOPICS } from '@cdp/contracts';
import { ensureTopics, EventProducer } from '@cdp/kafka';
import { bootstrapService, createRootLogger, migrateService, type RunningService } from '@cdp/service-kit';
import { createTestDatabase, deleteTopicsWithPrefix, testInfra, TopicReader, type TestDatabase, uniqueTopicPrefix } from '@cdp/testing';
import { LoyaltyClock } from '../../src/application/clock';
import { loyaltyConfig, type LoyaltyConfig } from '../../src/config';
import type { Programme } from '../../src/domain';
import { loyaltyService } from '../../src/loyalty.definition';

export const SETUP_TIMEOUT_MS = 120_000;
export const ADMIN_TOKEN = 'cdp-dev-admin-token';

const LOYALTY_TOPICS = [TOPICS.authTokens, TOPICS.ingestDeadLetter, TOPICS.identityResolvedEvents, TOPICS.identityProfileMerged, TOPICS.loyaltyLedger, TOPICS.loyaltyNotifications];

/** A loyalty app in-process, with its own database, topic prefix and a clock the test moves. */
export interface LoyaltyHarness {
  service: RunningService;
  url: string;
  env: EnvSource;
  config: LoyaltyConfig;
  db: TestDatabase;
  kafka: Kafka;
  prefix: string;
  clock: LoyaltyClock;
  /** Produces resolved events, keyed by profile as identity keys them. */
  sendResolved(events: ResolvedEvent[]): Promise<void>;
  sendIdentityChanges(events: Array<ProfilesMerged | ProfileSplit>): Promise<void>;
  read<T>(def: { name: string }): Promise<TopicReader<T>>;
  /** HTTP call with the bootstrap admin token (or the given one). */
  call(method: string, path: string, body?: unknown, options?: { token?: string; headers?: Record<string, string> }): Promise<Response>;
  sql<R>(text: string, values?: unknown[]): Promise<R[]>;
  /** Another instance of the service on the same database and topics (same consumer group). */
  startAnother(overrides?: Record<string, string>): Promise<RunningService>;
  /** Creates a programme through the API. */
  createProgramme(programme: Programme): Promise<void>;
  /** Resolves once the consumer group has stored offsets for every message produced to its topics so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startLoyalty(label: string, extraEnv: Record<string, string> = {}, options: { topicPrefix?: string } = {}): Promise<LoyaltyHarness> {
  const infra = testInfra();
  const db = await createTestDatabase(label);
  const prefix = options.topicPrefix ?? uniqueTopicPrefix(label);
  const env: EnvSource = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '20',
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    LOYALTY_DUE_WORK_INTERVAL_MS: '0',
    ...extraEnv,
  };
  const config = loadConfig(loyaltyConfig, env);
  const kafka = new Kafka({ clientId: `it-${label}`, brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, LOYALTY_TOPICS, prefix);
  await admin.disconnect();
  await migrateService(loyaltyService, config, createRootLogger({ service: 'loyalty', version: 'test', level: config.logLevel }));
  const serde = new AvroSerde(new InRepoSchemaRegistry());
  const producer = new EventProducer(kafka, { serde, topicPrefix: prefix });
  await producer.connect();
  const service = await bootstrapService({ ...loyaltyService, config });
  const readers: TopicReader<unknown>[] = [];
  const others: RunningService[] = [];
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const sql = async <R>(text: string, values: unknown[] = []) => (await pg.query(text, values)).rows as R[];
  const call = (method: string, path: string, body?: unknown, opts: { token?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${opts.token ?? ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  return {
    service,
    url: service.url,
    env,
    config,
    db,
    kafka,
    prefix,
    clock: service.app.get(LoyaltyClock),
    async sendResolved(events) {
      await producer.send(events.map((value) => ({ topic: TOPICS.identityResolvedEvents, key: value.data.profileId, schema: 'cdp.identity.ResolvedEvent', value })));
    },
    async sendIdentityChanges(events) {
      await producer.send(
        events.map((value) =>
          value.type === 'ProfilesMerged'
            ? { topic: TOPICS.identityProfileMerged, key: value.data.survivorProfileId, schema: 'cdp.identity.ProfilesMerged', value }
            : { topic: TOPICS.identityProfileMerged, key: value.data.profileId, schema: 'cdp.identity.ProfileSplit', value },
        ),
      );
    },
    async read<T>(def: { name: string }) {
      const reader = await TopicReader.start<T>(kafka, `${prefix}${def.name}`, serde);
      readers.push(reader as TopicReader<unknown>);
      return reader;
    },
    call,
    sql,
    async startAnother(overrides = {}) {
      const other = await bootstrapService({ ...loyaltyService, config: loadConfig(loyaltyConfig, { ...env, ...overrides }) });
      others.push(other);
      return other;
    },
    async createProgramme(programme) {
      const res = await call('POST', '/v1/loyalty/programmes', { programme });
      if (res.status !== 201) throw new Error(`creating programme ${programme.id} answered ${res.status}: ${await res.text()}`);
    },
    async caughtUp(timeoutMs = 60_000) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const topics = [TOPICS.identityResolvedEvents, TOPICS.identityProfileMerged].map((t) => `${prefix}${t.name}`);
        const ends = new Map<string, number>();
        for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}/${p.partition}`, Number(p.high));
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const rows = await sql<{ topic: string; partition: number; next_offset: string }>(`SELECT topic, partition, next_offset FROM loyalty.consumer_offsets WHERE topic = ANY($1::text[])`, [topics]);
          const stored = new Map(rows.map((r) => [`${r.topic}/${r.partition}`, Number(r.next_offset)]));
          if ([...ends].every(([k, end]) => end === 0 || (stored.get(k) ?? 0) >= end)) return;
          if (Date.now() > deadline) throw new Error(`loyalty did not catch up within ${timeoutMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await admin.disconnect();
      }
    },
    async close() {
      for (const reader of readers) await reader.stop();
      for (const other of others) await other.close();
      await service.close();
      await producer.disconnect();
      await pg.end();
      await db.drop();
      if (!options.topicPrefix) await deleteTopicsWithPrefix(infra.kafkaBrokers, prefix);
    },
  };
}

let sequence = 0;

/** A resolved event as identity emits it; `event` fields override an ingested `track`. */
export function resolved(profileId: string, given: Omit<Partial<IngestedEvent>, 'properties'> & { properties?: unknown } = {}): ResolvedEvent {
  sequence += 1;
  const event = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as typeof given;
  const timestamp = event.timestamp ?? Date.UTC(2026, 0, 5, 12) + sequence * 1000;
  const messageId = event.messageId ?? `rs-${process.pid}-${Date.now()}-${sequence}`;
  const ingested: IngestedEvent = {
    messageId,
    type: 'track',
    event: 'Order Completed',
    name: null,
    anonymousId: null,
    userId: profileId,
    previousId: null,
    groupId: null,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: timestamp,
    sourceId: 'src-web',
    channel: 'web',
    context: '{}',
    traits: '{}',
    commerce: null,
    integrations: '{}',
    ...event,
    timestamp,
    properties: typeof event.properties === 'string' ? event.properties : JSON.stringify(event.properties ?? {}),
  };
  return {
    id: messageId,
    type: 'EventResolved',
    occurredAt: timestamp,
    data: { profileId, profileCreated: false, identifiers: [], event: ingested },
    metadata: { correlationId: messageId, causationId: messageId, producer: 'identity', schemaVersion: 1 },
  };
}

/** An `Order Completed` with the commerce record ingestion lifts from its properties. */
export function orderCompleted(profileId: string, orderId: string, revenue: number, options: { at?: number; messageId?: string; products?: Array<{ sku?: string; category?: string; brand?: string; price: number; quantity: number }> } = {}): ResolvedEvent {
  return resolved(profileId, {
    timestamp: options.at,
    messageId: options.messageId,
    event: 'Order Completed',
    commerce: {
      orderId,
      revenue,
      currency: 'USD',
      discount: null,
      tax: null,
      shipping: null,
      coupon: null,
      storeId: null,
      products: (options.products ?? []).map((p) => ({ sku: p.sku ?? null, productId: null, name: null, category: p.category ?? null, brand: p.brand ?? null, price: p.price, quantity: p.quantity, variant: null })),
    },
  });
}

export function orderRefunded(profileId: string, orderId: string, amount: number | null, options: { at?: number; messageId?: string } = {}): ResolvedEvent {
  return resolved(profileId, {
    timestamp: options.at,
    messageId: options.messageId,
    event: 'Order Refunded',
    commerce: { orderId, revenue: amount, currency: 'USD', discount: null, tax: null, shipping: null, coupon: null, storeId: null, products: [] },
  });
}

export const DAY_MS = 86_400_000;

/** A programme in USD on UTC: a point per dollar (floor), 14 days pending, points expire 365 days after they activate. */
export function programme(id: string, overrides: Partial<Programme> = {}): Programme {
  return {
    id,
    name: `Programme ${id}`,
    pointsName: 'Stars',
    currency: 'USD',
    timeZone: 'UTC',
    pendingDays: 14,
    expiry: { kind: 'rolling', days: 365 },
    earningRules: [{ id: 'base', name: 'A star per dollar', kind: 'purchase', currency: 'USD', pointsPerUnit: 1, rounding: 'floor' }],
    tiers: null,
    rewards: [],
    referral: null,
    notifications: { expiringSoonDays: 30, tierChangeMaxAgeDays: 7 },
    ...overrides,
  };
}
