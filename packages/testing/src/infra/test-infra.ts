import { TestingError } from '../testing.error';
import { RUN_ID_ENV } from '../run-id';

/** Endpoints of the infrastructure a test run uses, as published by the jest global setup. */
export interface TestInfra {
  kafkaBrokers: string[];
  /** Connects as a role that may CREATE/DROP DATABASE; tests create their own databases from it. */
  adminDatabaseUrl: string;
  /** Set when a ClickHouse server is used; absent means embedded ClickHouse (chdb) per test. */
  clickhouseUrl?: string;
  runId: string;
}

export const INFRA_ENV = {
  kafkaBrokers: 'KAFKA_BROKERS',
  adminDatabaseUrl: 'DATABASE_URL',
  clickhouseUrl: 'CLICKHOUSE_URL',
  runId: RUN_ID_ENV,
} as const;

export function parseBrokers(value: string): string[] {
  return value
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}

export function testInfra(env: NodeJS.ProcessEnv = process.env): TestInfra {
  const brokers = parseBrokers(env[INFRA_ENV.kafkaBrokers] ?? '');
  const adminDatabaseUrl = env[INFRA_ENV.adminDatabaseUrl] ?? '';
  const runId = env[INFRA_ENV.runId] ?? '';
  const missing: string[] = [];
  if (brokers.length === 0) missing.push(INFRA_ENV.kafkaBrokers);
  if (adminDatabaseUrl === '') missing.push(INFRA_ENV.adminDatabaseUrl);
  if (runId === '') missing.push(INFRA_ENV.runId);
  if (missing.length > 0) {
    throw new TestingError(
      'INFRA_NOT_SET_UP',
      `testInfra(): ${missing.join(', ')} not set. Integration and e2e tests get them from the jest global setup ` +
        `(packages/testing/src/jest/global-setup.ts): run them as *.int-spec.ts / *.e2e-spec.ts through jest, ` +
        `or export the variables yourself.`,
    );
  }
  const clickhouseUrl = env[INFRA_ENV.clickhouseUrl];
  return { kafkaBrokers: brokers, adminDatabaseUrl, runId, ...(clickhouseUrl ? { clickhouseUrl } : {}) };
}
