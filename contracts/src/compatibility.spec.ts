import fc from 'fast-check';
import { Type, type Schema } from 'avsc';
import { arbitraryFor } from '../test/avro-arbitrary';
import type { AvroField, AvroRecordSchema } from './avro-schema';
import { checkBackwardCompatibility } from './compatibility';
import { contractSchemaNames, latestSchema, schemaVersions } from './schema-catalog';

const SAMPLES = 150;

function samplesOf(schema: AvroRecordSchema, seed = 20241): unknown[] {
  return fc.sample(arbitraryFor(Type.forSchema(schema as Schema)), { numRuns: SAMPLES, seed });
}

function withFields(schema: AvroRecordSchema, fields: AvroField[]): AvroRecordSchema {
  return { ...schema, fields };
}

describe('BACKWARD compatibility of contract versions', () => {
  const pairs = contractSchemaNames().flatMap((name) => {
    const versions = schemaVersions(name);
    return versions.flatMap((older, i) => versions.slice(i + 1).map((newer) => ({ label: `${name} v${older.version} -> v${newer.version}`, older, newer })));
  });

  it('has at least one evolved schema to check', () => {
    expect(pairs.length).toBeGreaterThan(0);
  });

  it.each(pairs)('$label: data written with the older version reads with the newer one', ({ older, newer }) => {
    expect(checkBackwardCompatibility(older.schema, newer.schema, samplesOf(older.schema))).toEqual([]);
  });

  it('reads IngestedEvent v1 data as v2, filling the added fields with their defaults', () => {
    const v1 = Type.forSchema(schemaVersions('cdp.ingest.IngestedEvent')[0].schema as Schema);
    const v2 = Type.forSchema(schemaVersions('cdp.ingest.IngestedEvent')[1].schema as Schema);
    const [sample] = samplesOf(schemaVersions('cdp.ingest.IngestedEvent')[0].schema, 7).filter(
      (s) => ((s as { commerce: { products: unknown[] } | null }).commerce?.products.length ?? 0) > 0,
    );
    const read = v2.fromBuffer(v1.toBuffer(sample), v2.createResolver(v1)) as { integrations: string; commerce: { products: { variant: unknown }[] } };
    expect(read.integrations).toBe('{}');
    expect(read.commerce.products.every((p) => p.variant === null)).toBe(true);
  });
});

describe('checkBackwardCompatibility', () => {
  const base = latestSchema('cdp.ingest.IngestedEvent').schema;
  const samples = samplesOf(base);

  it('rejects a new required field without a default', () => {
    const newer = withFields(base, [...base.fields, { name: 'tenantId', type: 'string' }]);
    const problems = checkBackwardCompatibility(base, newer, samples);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/tenantId/);
  });

  it('accepts a new field with a default', () => {
    const newer = withFields(base, [...base.fields, { name: 'tenantId', type: 'string', default: 'default' }]);
    expect(checkBackwardCompatibility(base, newer, samples)).toEqual([]);
  });

  it('rejects a field type change with no Avro promotion', () => {
    const newer = withFields(
      base,
      base.fields.map((f) => (f.name === 'sourceId' ? { ...f, type: 'int' } : f)),
    );
    expect(checkBackwardCompatibility(base, newer, samples)).not.toEqual([]);
  });

  it('rejects dropping an enum symbol that old data may contain', () => {
    const newer = withFields(
      base,
      base.fields.map((f) =>
        f.name === 'type' ? { ...f, type: { type: 'enum', name: 'IngestedEventType', symbols: ['track', 'identify', 'page', 'screen', 'group'] } } : f,
      ),
    );
    expect(checkBackwardCompatibility(base, newer, samples)).not.toEqual([]);
  });

  it('rejects a new default-less field nested inside an embedded record', () => {
    const newer = JSON.parse(JSON.stringify(base).replace('"name":"variant"', '"name":"size","type":"string"},{"name":"variant"')) as AvroRecordSchema;
    expect(JSON.stringify(newer)).toContain('"size"');
    expect(checkBackwardCompatibility(base, newer, samples)).not.toEqual([]);
  });

  it('reports a sample the writer cannot even write, instead of passing it', () => {
    expect(checkBackwardCompatibility(base, base, [{ messageId: 42 }])).toEqual(['sample 0: not a valid value of the writer schema']);
  });
});
