// Avro schema JSON as read from contracts/avro (the subset of the Avro spec the contracts use).
export type AvroSchemaJson = string | readonly AvroSchemaJson[] | AvroSchemaObject;

export interface AvroSchemaObject {
  readonly type: AvroSchemaJson;
  readonly [attribute: string]: unknown;
}

export interface AvroField {
  readonly name: string;
  readonly type: AvroSchemaJson;
  readonly doc?: string;
  readonly default?: unknown;
  readonly aliases?: readonly string[];
}

export interface AvroRecordSchema extends AvroSchemaObject {
  readonly type: 'record';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly aliases?: readonly string[];
  readonly fields: readonly AvroField[];
}

export function isRecordSchema(schema: unknown): schema is AvroRecordSchema {
  return (
    typeof schema === 'object' &&
    schema !== null &&
    (schema as { type?: unknown }).type === 'record' &&
    typeof (schema as { name?: unknown }).name === 'string' &&
    Array.isArray((schema as { fields?: unknown }).fields)
  );
}

/** Full name of a named schema: `namespace.name`, or `name` when it is already qualified. */
export function fullNameOf(schema: { readonly name: string; readonly namespace?: string }): string {
  if (schema.name.includes('.') || !schema.namespace) return schema.name;
  return `${schema.namespace}.${schema.name}`;
}

/** JSON with object keys sorted, so two equal schemas print identically whatever their key order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
