import { parseEnvLines } from './local-process.provider';

describe('parseEnvLines', () => {
  it('reads the KEY=value lines scripts/infra-up.sh --env prints, values kept verbatim', () => {
    const output = [
      'KAFKA_BROKERS=127.0.0.1:9092',
      'DATABASE_URL=postgres://postgres@127.0.0.1:5432/cdp',
      'ADMIN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?options=-c%20a=b',
      'CLICKHOUSE_DATA_DIR=/repo/.data/clickhouse',
      '',
    ].join('\n');
    expect(parseEnvLines(output)).toEqual({
      KAFKA_BROKERS: '127.0.0.1:9092',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/cdp',
      ADMIN_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres?options=-c%20a=b',
      CLICKHOUSE_DATA_DIR: '/repo/.data/clickhouse',
    });
  });
});
