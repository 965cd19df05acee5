import { existsSync, readdirSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { createTestDatabase, deleteTopicsWithPrefix, testDataDir, testInfra, uniqueTopicPrefix } from '../src';

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('test databases', () => {
  it('creates an empty database of its own that the test can use, and drops it', async () => {
    const { adminDatabaseUrl } = testInfra();
    const db = await createTestDatabase('harness');
    expect(db.name).toContain('test');

    const client = new Client({ connectionString: db.url });
    const clientErrors: Error[] = [];
    client.on('error', (error) => clientErrors.push(error));
    await client.connect();
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    expect(rows[0].db).toBe(db.name);
    await client.query('CREATE TABLE t (id int)');

    // The connection is still open: drop() must terminate it rather than fail.
    await db.drop();
    expect(await databaseExists(adminDatabaseUrl, db.name)).toBe(false);
    await expect(client.query('SELECT 1')).rejects.toThrow();
  });

  it('gives every call a different database', async () => {
    const [a, b] = await Promise.all([createTestDatabase('same'), createTestDatabase('same')]);
    try {
      expect(a.name).not.toBe(b.name);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});

describe('test topics', () => {
  it('deletes exactly the topics carrying the prefix', async () => {
    const { kafkaBrokers } = testInfra();
    const mine = uniqueTopicPrefix('harness');
    const other = uniqueTopicPrefix('harness');
    const admin = new Kafka({ clientId: 'harness-int', brokers: kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [`${mine}cdp.ingest.events`, `${mine}cdp.ingest.deadletter`, `${other}cdp.ingest.events`].map((topic) => ({ topic, numPartitions: 1 })),
      });
      await deleteTopicsWithPrefix(kafkaBrokers, mine);
      const left = (await admin.listTopics()).filter((topic) => topic.startsWith(mine) || topic.startsWith(other));
      expect(left).toEqual([`${other}cdp.ingest.events`]);
    } finally {
      await deleteTopicsWithPrefix(kafkaBrokers, other);
      await admin.disconnect();
    }
  });

  it('refuses a prefix that could match real topics', async () => {
    await expect(deleteTopicsWithPrefix(testInfra().kafkaBrokers, 'cdp.')).rejects.toThrow(/not a test topic prefix/);
  });
});

describe('test data directories', () => {
  it('hands out a fresh, empty directory under the run', () => {
    const a = testDataDir('clickhouse');
    const b = testDataDir('clickhouse');
    expect(a).not.toBe(b);
    expect(a).toContain(`/test/${testInfra().runId}/clickhouse-`);
    expect(existsSync(a) && readdirSync(a)).toEqual([]);
  });
});
