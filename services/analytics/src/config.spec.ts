import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@cdp/config';
import { analyticsConfig } from './config';

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
