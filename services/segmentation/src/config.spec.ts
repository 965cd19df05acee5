import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@cdp/config';
import { segmentationConfig } from './config';

describe('segmentation config', () => {
  it('defaults to the port and schema infra/services.json gives segmentation', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'infra', 'services.json'), 'utf8')) as {
      services: Array<{ name: string; port: number; schema: string }>;
    };
    const entry = manifest.services.find((s) => s.name === 'segmentation');
    const config = loadConfig(segmentationConfig, {});
    expect({ name: config.name, port: config.http.port, schema: config.database.schema }).toEqual(entry);
  });
});
