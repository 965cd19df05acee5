import { randomUUID } from 'node:crypto';
import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import { type IngestedEvent, TOPICS } from '@cdp/contracts';
import { createTestDatabase, deleteTopicsWithPrefix, testInfra, type TestDatabase, uniqueTopicPrefix } from '@cdp/testing';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { Pool } from 'pg';
import { createKafka, ensureRuntimeTables, ensureTopics, pgTransactionRunner, silentLogger, type TopicSpec, type TransactionRunner } from '../../src';

/** Everything one test needs on real Kafka and Postgres, private to that test. */
export interface RuntimeHarness {
  prefix: string;
  brokers: string[];
  db: TestDatabase;
  pool: Pool;
  runner: TransactionRunner;
  serde: AvroSerde;
  kafka: Kafka;
  admin: Admin;
  topic(spec: { name: string }): string;
  close(): Promise<void>;
}

export const RUNTIME_SCHEMA = 'runtime_it';

export async function startHarness(label: string, topics: readonly TopicSpec[]): Promise<RuntimeHarness> {
  const infra = testInfra();
  const prefix = uniqueTopicPrefix(label);
  const db = await createTestDatabase(label);
  const { pool, end: endPool } = openPool(db.url, label);
  const kafka = createKafka({ brokers: infra.kafkaBrokers, clientId: `it-${label}`, logger: silentLogger });
  const admin = kafka.admin();
  const close = async () => {
    try {
      await admin.disconnect();
      // Every connection is gone before drop() terminates what is left of the database's sessions.
      await endPool();
      await db.drop();
    } finally {
      await deleteTopicsWithPrefix(infra.kafkaBrokers, prefix);
    }
  };
  try {
    await ensureRuntimeTables(pool, RUNTIME_SCHEMA);
    await admin.connect();
    await ensureTopics(admin, topics, prefix);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    prefix,
    brokers: infra.kafkaBrokers,
    db,
    pool,
    runner: pgTransactionRunner(pool),
    serde: new AvroSerde(new InRepoSchemaRegistry()),
    kafka,
    admin,
    topic: (spec) => `${prefix}${spec.name}`,
    close,
  };
}

/**
 * A pool whose `end()` resolves once its connections are closed. pg's pool.end() resolves once it
 * has asked them to close, before their backends exit; dropping the database then terminates
 * those backends, and each client emits the 57P01 as an 'error' that, unheard, crashes the test
 * process. The listener reports the loss of an idle connection (the pool replaces it) instead.
 */
function openPool(url: string, label: string): { pool: Pool; end(): Promise<void> } {
  const pool = new Pool({ connectionString: url, max: 8 });
  const open = new Set<Promise<void>>();
  pool.on('connect', (client) => {
    const closed = new Promise<void>((resolve) => client.once('end', () => resolve()));
    open.add(closed);
    void closed.then(() => open.delete(closed));
  });
  pool.on('error', (err) => {
    process.stderr.write(`[runtime-harness ${label}] idle Postgres connection lost: ${err.message}\n`);
  });
  return {
    pool,
    end: async () => {
      await pool.end();
      await Promise.all(open);
    },
  };
}

export const TEST_TOPICS: readonly TopicSpec[] = [
  { ...TOPICS.ingestEvents, partitions: 4 },
  TOPICS.ingestDeadLetter,
  { ...TOPICS.identityResolvedEvents, partitions: 4 },
];

/** A realistic Segment track call with a typed commerce record. */
export function ingestedEvent(overrides: Partial<IngestedEvent> = {}): IngestedEvent {
  const now = Date.UTC(2026, 10, 1, 12, 0, 0);
  return {
    messageId: randomUUID(),
    type: 'track',
    event: 'Order Completed',
    name: null,
    anonymousId: `anon-${randomUUID().slice(0, 8)}`,
    userId: null,
    previousId: null,
    groupId: null,
    timestamp: now,
    originalTimestamp: now,
    sentAt: now,
    receivedAt: now + 15,
    sourceId: 'web-shop',
    channel: 'web',
    context: JSON.stringify({ ip: '203.0.113.9', userAgent: 'Mozilla/5.0' }),
    traits: '{}',
    properties: JSON.stringify({ orderId: 'o-1', revenue: 42.5 }),
    commerce: {
      orderId: 'o-1',
      revenue: 42.5,
      currency: 'USD',
      discount: null,
      tax: null,
      shipping: null,
      coupon: null,
      storeId: null,
      products: [{ sku: 'CD-001', productId: null, name: 'Album', category: 'Music', brand: null, price: 42.5, quantity: 1, variant: null }],
    },
    integrations: '{}',
    ...overrides,
  };
}

/**
 * Polls until `done` holds, failing with the last observed value if it never does. A retriable Kafka
 * error (e.g. NOT_LEADER_FOR_PARTITION while a fresh broker's metadata settles) counts as "not yet".
 */
export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | string | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (done(value)) return value;
      last = value;
    } catch (err) {
      if ((err as { retriable?: unknown }).retriable !== true) throw err;
      last = `retriable error: ${(err as Error).message}`;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sum of the log end offsets of a topic (= records ever written to it). */
export async function logEndOffsets(admin: Admin, topic: string): Promise<Map<number, string>> {
  // A fresh broker may briefly answer NOT_LEADER_FOR_PARTITION for a new topic; kafkajs's admin does
  // not retry listOffsets on it, so retriable errors are retried here for up to ~10 s.
  for (let attempt = 1; ; attempt++) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map((o) => [o.partition, o.high]));
    } catch (err) {
      if ((err as { retriable?: unknown }).retriable !== true || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function recordCount(admin: Admin, topic: string): Promise<number> {
  let total = 0;
  for (const high of (await logEndOffsets(admin, topic)).values()) total += Number(high);
  return total;
}

/** Reads every record currently in the topic (up to the log end offsets taken at the start). */
export async function readAll(kafka: Kafka, admin: Admin, topic: string): Promise<KafkaMessage[]> {
  const ends = await logEndOffsets(admin, topic);
  const remaining = new Set([...ends].filter(([, high]) => high !== '0').map(([p]) => p));
  const out: KafkaMessage[] = [];
  if (remaining.size === 0) return out;
  const groupId = `reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            out.push(message);
            if (BigInt(message.offset) + 1n >= BigInt(ends.get(partition)!)) remaining.delete(partition);
            if (remaining.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    // Also when run() failed: a connected consumer would outlive the test.
    await consumer.disconnect();
  }
  await admin.deleteGroups([groupId]).catch(() => undefined);
  return out;
}

/** Positions stored in Postgres for a group, by partition. */
export async function storedOffsets(pool: Pool, groupId: string, topic: string): Promise<Map<number, string>> {
  const { rows } = await pool.query<{ partition: number; next_offset: string }>(
    `SELECT partition, next_offset::text AS next_offset FROM ${RUNTIME_SCHEMA}.consumer_offsets WHERE group_id = $1 AND topic = $2`,
    [groupId, topic],
  );
  return new Map(rows.map((r) => [r.partition, r.next_offset]));
}

/** True once every partition holding records has its stored position at the log end. */
export async function caughtUp(h: RuntimeHarness, groupId: string, topic: string): Promise<boolean> {
  const [ends, stored] = await Promise.all([logEndOffsets(h.admin, topic), storedOffsets(h.pool, groupId, topic)]);
  return [...ends].every(([partition, high]) => high === '0' || stored.get(partition) === high);
}
