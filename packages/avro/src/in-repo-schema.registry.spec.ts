import { loadContractSchemas, loadSchemaIds, schemaIdOf, latestSchema, type AvroRecordSchema } from '@cdp/contracts';
import { InRepoSchemaRegistry } from './in-repo-schema.registry';

function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
  }
  return value;
}

describe('InRepoSchemaRegistry', () => {
  const registry = new InRepoSchemaRegistry();

  it('answers every committed version with its manifest id, both ways', async () => {
    for (const s of loadContractSchemas()) {
      const id = await registry.idFor(s.name, s.schema);
      expect(id).toBe(schemaIdOf(s.name, s.version));
      expect(await registry.schemaById(id)).toEqual(s.schema);
    }
  });

  it('gives the same id whatever the key order of the schema JSON', async () => {
    const schema = latestSchema('cdp.ingest.IngestedEvent').schema;
    expect(await registry.idFor(schema.name, reversedKeys(schema) as AvroRecordSchema)).toBe(schemaIdOf('cdp.ingest.IngestedEvent', 2));
  });

  it('refuses a schema that is not a committed version instead of inventing an id', async () => {
    const schema = latestSchema('cdp.ingest.IngestedEvent').schema;
    const edited = { ...schema, fields: [...schema.fields, { name: 'extra', type: 'string', default: '' }] };
    await expect(registry.idFor('cdp.ingest.IngestedEvent', edited)).rejects.toMatchObject({ code: 'AVRO_UNKNOWN_SCHEMA' });
    await expect(registry.schemaById(999_999)).rejects.toMatchObject({ code: 'AVRO_UNKNOWN_SCHEMA' });
  });

  it('fails at construction when a version has no id or two versions share one', () => {
    const [first, second] = loadContractSchemas();
    expect(() => new InRepoSchemaRegistry({ schemas: [first], ids: new Map() })).toThrow(expect.objectContaining({ code: 'AVRO_UNKNOWN_SCHEMA' }));
    const ids = new Map(loadSchemaIds());
    ids.set(`${second.name}@v${second.version}`, ids.get(`${first.name}@v${first.version}`)!);
    expect(() => new InRepoSchemaRegistry({ schemas: [first, second], ids })).toThrow(expect.objectContaining({ code: 'AVRO_REGISTRY_ERROR' }));
  });
});
