import { mkdtempSync, mkdirSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type, type Schema } from 'avsc';
import { ALL_TOPICS } from './topics';
import { ContractError } from './contract.errors';
import { stableStringify } from './avro-schema';
import {
  CONTRACTS_AVRO_DIR,
  contractSchemaNames,
  latestSchema,
  loadContractSchemas,
  loadSchemaIds,
  schemaIdKey,
  schemaIdOf,
  schemaVersions,
} from './schema-catalog';

const HOUSE_SHAPE = ['id', 'type', 'occurredAt', 'data', 'metadata'];

describe('contract schema catalog', () => {
  const schemas = loadContractSchemas();
  const latest = contractSchemaNames().map(latestSchema);

  it('has a schema for every record a topic carries, and no record without a topic', () => {
    const carried = new Set(ALL_TOPICS.flatMap((t) => t.valueSchemas));
    expect(new Set(contractSchemaNames())).toEqual(carried);
  });

  it('compiles every version of every schema with avsc', () => {
    for (const s of schemas) {
      expect(() => Type.forSchema(s.schema as Schema)).not.toThrow();
    }
  });

  it('returns the newest version as latest and every version oldest first', () => {
    const versions = schemaVersions('cdp.ingest.IngestedEvent');
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(latestSchema('cdp.ingest.IngestedEvent').version).toBe(2);
    expect(latestSchema('cdp.ingest.IngestedEvent').file).toBe(join(CONTRACTS_AVRO_DIR, 'cdp.ingest.IngestedEvent', 'v2.avsc'));
  });

  it('refuses an unknown record name with a coded error', () => {
    expect(() => latestSchema('cdp.nope.Missing')).toThrow(expect.objectContaining({ code: 'CONTRACT_UNKNOWN_SCHEMA' }));
  });

  it('hands out frozen schemas so no caller can alter what another one reads', () => {
    const schema = latestSchema('cdp.ingest.IngestedEvent').schema;
    expect(Object.isFrozen(schema)).toBe(true);
    expect(Object.isFrozen(schema.fields[0])).toBe(true);
  });

  it('shapes every platform event as { id, type, occurredAt, data, metadata } with the shared metadata record', () => {
    for (const s of latest.filter((l) => l.name !== 'cdp.ingest.IngestedEvent')) {
      expect({ name: s.name, fields: s.schema.fields.map((f) => f.name) }).toEqual({ name: s.name, fields: HOUSE_SHAPE });
      const type = Type.forSchema(s.schema as Schema) as unknown as { field(name: string): { type: Type } };
      expect(type.field('metadata').type.name).toBe('cdp.common.EventMetadata');
      expect(JSON.stringify(s.schema.fields[2].type)).toContain('timestamp-millis');
    }
  });

  it('defines every shared named type identically wherever it is embedded (e.g. IngestedEvent inside ResolvedEvent)', () => {
    const definitions = new Map<string, { text: string; file: string }>();
    const mismatches: string[] = [];
    for (const s of latest) {
      const registry: Record<string, Type> = {};
      Type.forSchema(s.schema as Schema, { registry });
      for (const [name, type] of Object.entries(registry)) {
        if (!name.includes('.')) continue;
        const text = stableStringify(type.schema({ exportAttrs: true, noDeref: true }));
        const seen = definitions.get(name);
        if (seen && seen.text !== text) mismatches.push(`${name}: ${seen.file} vs ${s.file}`);
        if (!seen) definitions.set(name, { text, file: s.file });
      }
    }
    expect(mismatches).toEqual([]);
    expect(definitions.has('cdp.common.EventMetadata')).toBe(true);
  });

  describe('id manifest (contracts/avro/ids.json)', () => {
    const ids = loadSchemaIds();

    it('gives every schema version an id', () => {
      const missing = schemas.map((s) => schemaIdKey(s.name, s.version)).filter((key) => !ids.has(key));
      expect(missing).toEqual([]);
      expect(schemaIdOf('cdp.ingest.IngestedEvent', 1)).toBe(ids.get('cdp.ingest.IngestedEvent@v1'));
    });

    it('never gives two versions the same id', () => {
      const values = [...ids.values()];
      expect(new Set(values).size).toBe(values.length);
    });

    it('keeps no id for a version whose file is gone (published versions are never deleted)', () => {
      const files = new Set(schemas.map((s) => schemaIdKey(s.name, s.version)));
      expect([...ids.keys()].filter((key) => !files.has(key))).toEqual([]);
    });

    it('is the committed file itself, not a derived copy', () => {
      const raw = JSON.parse(readFileSync(join(CONTRACTS_AVRO_DIR, 'ids.json'), 'utf8')) as Record<string, number>;
      expect(new Map(Object.entries(raw))).toEqual(ids);
    });
  });

  describe('layout rules', () => {
    let dir: string;
    const record = (name: string, namespace = 'cdp.test') => JSON.stringify({ type: 'record', name, namespace, fields: [] });
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'contracts-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    function put(path: string, text: string): void {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const load = () => loadContractSchemas(dir);

    it('loads a well-formed directory', () => {
      put('cdp.test.Thing/v1.avsc', record('Thing'));
      put('cdp.test.Thing/v2.avsc', record('Thing'));
      expect(load().map((s) => `${s.name}@${s.version}`)).toEqual(['cdp.test.Thing@1', 'cdp.test.Thing@2']);
    });

    it.each([
      ['a record in a directory not named after it', 'cdp.test.Other/v1.avsc', record('Thing')],
      ['a file not named v<N>.avsc', 'cdp.test.Thing/latest.avsc', record('Thing')],
      ['a namespace outside cdp.', 'acme.Thing/v1.avsc', record('Thing', 'acme')],
      ['a gap in the versions', 'cdp.test.Thing/v3.avsc', record('Thing')],
      ['invalid JSON', 'cdp.test.Thing/v1.avsc', '{ nope'],
    ])('rejects %s', (_label, path, text) => {
      if (path.endsWith('v3.avsc')) put('cdp.test.Thing/v1.avsc', record('Thing'));
      put(path, text);
      expect(load).toThrow(ContractError);
    });
  });
});
