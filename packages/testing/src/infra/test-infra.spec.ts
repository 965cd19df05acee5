import { TestingError } from '../testing.error';
import { testInfra } from './test-infra';

describe('testInfra', () => {
  it('reads the endpoints global setup published', () => {
    expect(
      testInfra({
        KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9094',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
        CDP_TEST_RUN_ID: 'abc12345',
      }),
    ).toEqual({
      kafkaBrokers: ['127.0.0.1:9092', '127.0.0.1:9094'],
      adminDatabaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
      runId: 'abc12345',
    });
  });

  it('includes the ClickHouse server when one is configured', () => {
    const infra = testInfra({ KAFKA_BROKERS: 'k:9092', DATABASE_URL: 'postgres://p/postgres', CDP_TEST_RUN_ID: 'r', CLICKHOUSE_URL: 'http://ch:8123' });
    expect(infra.clickhouseUrl).toBe('http://ch:8123');
  });

  it('names every missing variable and where they come from', () => {
    expect(() => testInfra({ DATABASE_URL: 'postgres://p/postgres' })).toThrow(TestingError);
    expect(() => testInfra({ DATABASE_URL: 'postgres://p/postgres' })).toThrow(/KAFKA_BROKERS, CDP_TEST_RUN_ID not set.*global-setup/);
  });
});
