import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@cdp/config';
import { DEVELOPMENT_BOOTSTRAP_ADMIN_TOKEN } from '@cdp/security';
import { ingestionConfig } from './config';

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
  it('guards the sources API with the platform bootstrap token, the documented one outside production only', () => {
    expect(loadConfig(ingestionConfig, { NODE_ENV: 'test' }).security.bootstrapAdminToken).toBe(DEVELOPMENT_BOOTSTRAP_ADMIN_TOKEN);
    expect(() => loadConfig(ingestionConfig, { NODE_ENV: 'production' })).toThrow('CDP_BOOTSTRAP_ADMIN_TOKEN: required when NODE_ENV is production');
  });

  it('keeps messageIds for at least 24 hours', () => {
    expect(loadConfig(ingestionConfig, {}).ingestion.dedupeRetentionHours).toBe(26);
    expect(() => loadConfig(ingestionConfig, { INGESTION_DEDUPE_RETENTION_HOURS: '12' })).toThrow('INGESTION_DEDUPE_RETENTION_HOURS');
  });
});
