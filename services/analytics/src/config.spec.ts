import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@cdp/config';
import { analyticsConfig, DEVELOPMENT_API_TOKEN } from './config';

describe('analytics config', () => {
  it('defaults to the port and schema infra/services.json gives analytics', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'infra', 'services.json'), 'utf8')) as {
      services: Array<{ name: string; port: number; schema: string }>;
    };
    const entry = manifest.services.find((s) => s.name === 'analytics');
    const config = loadConfig(analyticsConfig, {});
    expect({ name: config.name, port: config.http.port, schema: config.database.schema }).toEqual(entry);
  });

  it('uses embedded ClickHouse under .data/clickhouse unless a server is configured', () => {
    expect(loadConfig(analyticsConfig, {}).clickhouse).toEqual({ url: undefined, dataDir: '.data/clickhouse', database: 'cdp' });
    expect(loadConfig(analyticsConfig, { CLICKHOUSE_URL: 'http://ch:8123' }).clickhouse.url).toBe('http://ch:8123');
  });
});

describe('analytics settings', () => {
  it('falls back to the documented API token outside production only', () => {
    expect(loadConfig(analyticsConfig, { NODE_ENV: 'test' }).analytics.apiToken).toBe(DEVELOPMENT_API_TOKEN);
    expect(() => loadConfig(analyticsConfig, { NODE_ENV: 'production' })).toThrow('ANALYTICS_API_TOKEN: required when NODE_ENV is production');
    const token = 'a-long-production-token-0123456789';
    expect(loadConfig(analyticsConfig, { NODE_ENV: 'production', ANALYTICS_API_TOKEN: token }).analytics.apiToken).toBe(token);
  });

  it('limits analysts’ queries by default, and names a bad limit', () => {
    expect(loadConfig(analyticsConfig, {}).analytics.sql).toEqual({
      maxExecutionSeconds: 30,
      maxResultRows: 100_000,
      maxResultBytes: 100 * 1024 ** 2,
      maxMemoryBytes: 2 * 1024 ** 3,
    });
    expect(loadConfig(analyticsConfig, { ANALYTICS_SQL_MAX_RESULT_ROWS: '500' }).analytics.sql.maxResultRows).toBe(500);
    expect(() => loadConfig(analyticsConfig, { ANALYTICS_SQL_MAX_EXECUTION_SECONDS: '0' })).toThrow('ANALYTICS_SQL_MAX_EXECUTION_SECONDS');
  });
});
