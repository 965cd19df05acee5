import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@cdp/config';
import { DEVELOPMENT_ADMIN_TOKEN, ingestionConfig } from './config';

describe('ingestion config', () => {
  it('defaults to the port and schema infra/services.json gives ingestion', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'infra', 'services.json'), 'utf8')) as {
      services: Array<{ name: string; port: number; schema: string }>;
    };
    const entry = manifest.services.find((s) => s.name === 'ingestion');
    const config = loadConfig(ingestionConfig, {});
    expect({ name: config.name, port: config.http.port, schema: config.database.schema }).toEqual(entry);
  });
});

describe('ingestion settings', () => {
  it('falls back to the documented admin token outside production only', () => {
    expect(loadConfig(ingestionConfig, { NODE_ENV: 'test' }).ingestion.adminToken).toBe(DEVELOPMENT_ADMIN_TOKEN);
    expect(() => loadConfig(ingestionConfig, { NODE_ENV: 'production' })).toThrow('INGESTION_ADMIN_TOKEN: required when NODE_ENV is production');
    const token = 'a-long-production-token-0123456789';
    expect(loadConfig(ingestionConfig, { NODE_ENV: 'production', INGESTION_ADMIN_TOKEN: token }).ingestion.adminToken).toBe(token);
  });

  it('keeps messageIds for at least 24 hours', () => {
    expect(loadConfig(ingestionConfig, {}).ingestion.dedupeRetentionHours).toBe(26);
    expect(() => loadConfig(ingestionConfig, { INGESTION_DEDUPE_RETENTION_HOURS: '12' })).toThrow('INGESTION_DEDUPE_RETENTION_HOURS');
  });
});
