import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@cdp/config';
import { profileConfig } from './config';

describe('profile config', () => {
  it('defaults to the port and schema infra/services.json gives profile', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'infra', 'services.json'), 'utf8')) as {
      services: Array<{ name: string; port: number; schema: string }>;
    };
    const entry = manifest.services.find((s) => s.name === 'profile');
    const config = loadConfig(profileConfig, {});
    expect({ name: config.name, port: config.http.port, schema: config.database.schema }).toEqual(entry);
  });
});
