import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { dataRoot } from '../src/fs/repo-root';
import { pruneStaleRuns, STALE_RUN_AGE_MS } from '../src/infra/prune-stale-runs';
import { createTestDatabase, testInfra, uniqueTopicPrefix } from '../src';
import { newRunId, randomSuffix } from '../src/run-id';

async function databases(adminUrl: string): Promise<string[]> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query<{ datname: string }>('SELECT datname FROM pg_database')).rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

describe('pruneStaleRuns', () => {
  it('removes the databases, topics and data dirs of a run long dead, and nothing of the current run', async () => {
    const infra = testInfra();
    const endpoints = { kafkaBrokers: infra.kafkaBrokers, adminDatabaseUrl: infra.adminDatabaseUrl };
    const deadRun = newRunId(Date.now() - STALE_RUN_AGE_MS - 60_000);
    const deadDatabase = `cdp_test_${deadRun}_prune_${randomSuffix(6)}`;
    const deadTopic = `t-${deadRun}-prune-${randomSuffix(6)}.cdp.ingest.events`;
    const deadDir = join(dataRoot(), 'test', deadRun, 'clickhouse-x');
    const liveTopic = `${uniqueTopicPrefix('prune')}cdp.ingest.events`;
    const live = await createTestDatabase('prune');

    const client = new Client({ connectionString: infra.adminDatabaseUrl });
    await client.connect();
    await client.query(`CREATE DATABASE "${deadDatabase}"`);
    await client.end();
    mkdirSync(deadDir, { recursive: true });
    const admin = new Kafka({ clientId: 'prune-int', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [deadTopic, liveTopic].map((topic) => ({ topic, numPartitions: 1 })) });

      const report = await pruneStaleRuns(endpoints);

      expect(report.databases).toContain(deadDatabase);
      expect(report.topics).toContain(deadTopic);
      expect(report.dataDirs).toContain(deadRun);
      const left = await databases(infra.adminDatabaseUrl);
      expect(left).not.toContain(deadDatabase);
      expect(left).toContain(live.name);
      const topics = await admin.listTopics();
      expect(topics).not.toContain(deadTopic);
      expect(topics).toContain(liveTopic);
      expect(existsSync(deadDir)).toBe(false);
    } finally {
      await admin.deleteTopics({ topics: [liveTopic] });
      await admin.disconnect();
      await live.drop();
    }
  });
});
