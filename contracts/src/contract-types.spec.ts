import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Type, type Schema } from 'avsc';
import { LATEST_CONTRACT_VERSIONS, type IngestedEvent, type ContractName } from './generated/contract-types';
import { contractSchemaNames, latestSchema } from './schema-catalog';

const ROOT = resolve(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'generate-contract-types.mjs');

describe('generated contract types', () => {
  it('are exactly what the generator produces from the committed schemas (types cannot drift)', () => {
    const out = execFileSync(process.execPath, [SCRIPT, '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain('up to date');
  });

  it('make the drift check fail once a schema changes without regenerating', () => {
    const copy = mkdtempSync(join(tmpdir(), 'contract-gen-'));
    try {
      mkdirSync(join(copy, 'scripts'));
      cpSync(SCRIPT, join(copy, 'scripts', 'generate-contract-types.mjs'));
      cpSync(join(ROOT, 'contracts', 'avro'), join(copy, 'contracts', 'avro'), { recursive: true });
      cpSync(join(ROOT, 'contracts', 'src', 'generated'), join(copy, 'contracts', 'src', 'generated'), { recursive: true });
      const file = join(copy, 'contracts', 'avro', 'cdp.privacy.ErasureRequested', 'v2.avsc');
      const v1 = JSON.parse(readFileSync(join(copy, 'contracts', 'avro', 'cdp.privacy.ErasureRequested', 'v1.avsc'), 'utf8'));
      v1.fields[3].type.fields.push({ name: 'ticket', type: ['null', 'string'], default: null });
      writeFileSync(file, JSON.stringify(v1));
      const result = spawnSync(process.execPath, [join(copy, 'scripts', 'generate-contract-types.mjs'), '--check'], { encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('contract-types.ts');
      expect(result.stderr).toContain('ids.json');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('list every contract with its latest version', () => {
    const names = contractSchemaNames();
    expect(Object.keys(LATEST_CONTRACT_VERSIONS).sort()).toEqual([...names].sort());
    for (const name of names) expect(LATEST_CONTRACT_VERSIONS[name as ContractName]).toBe(latestSchema(name).version);
  });

  it('describe values the Avro schema accepts', () => {
    const event: IngestedEvent = {
      messageId: 'm-1',
      type: 'track',
      event: 'Order Completed',
      name: null,
      anonymousId: 'anon-1',
      userId: 'u-1',
      previousId: null,
      groupId: null,
      timestamp: Date.UTC(2026, 0, 2),
      originalTimestamp: Date.UTC(2026, 0, 2),
      sentAt: null,
      receivedAt: Date.UTC(2026, 0, 2, 0, 0, 1),
      sourceId: 'web-shop',
      channel: 'web',
      context: '{"ip":"10.0.0.1"}',
      traits: '{}',
      properties: '{"orderId":"o-1"}',
      commerce: {
        orderId: 'o-1',
        revenue: 25.5,
        currency: 'EUR',
        discount: null,
        tax: 4.1,
        shipping: 0,
        coupon: null,
        storeId: null,
        products: [{ sku: 'SKU-1', productId: 'p-1', name: 'Tea', category: 'Grocery', brand: null, price: 12.75, quantity: 2, variant: null }],
      },
      integrations: '{}',
    };
    expect(Type.forSchema(latestSchema('cdp.ingest.IngestedEvent').schema as Schema).isValid(event)).toBe(true);
  });
});
