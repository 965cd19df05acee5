import { Type, types, type Schema } from 'avsc';
import type { AvroSchemaJson } from './avro-schema';

/**
 * BACKWARD compatibility of two schema versions: a consumer on `reader` (the newer version) can read
 * everything producers on `writer` (the older one) wrote. Checked two ways:
 * 1. avsc builds a resolver `reader.createResolver(writer)`, which fails on e.g. a new field without a
 *    default, a type change with no promotion, or a removed enum symbol without an enum default;
 * 2. every sample written with `writer` is read back with `reader`: it must decode, be a valid reader
 *    value, keep the value of every field both versions share, and fill new fields with their defaults.
 * Returns the problems found; an empty array means compatible.
 */
export function checkBackwardCompatibility(writer: AvroSchemaJson, reader: AvroSchemaJson, samples: Iterable<unknown> = []): string[] {
  let writerType: Type;
  let readerType: Type;
  try {
    writerType = Type.forSchema(writer as Schema);
    readerType = Type.forSchema(reader as Schema);
  } catch (err) {
    return [`schema does not compile: ${(err as Error).message}`];
  }
  let resolver: ReturnType<Type['createResolver']>;
  try {
    resolver = readerType.createResolver(writerType);
  } catch (err) {
    return [`reader cannot resolve writer: ${(err as Error).message}`];
  }
  const problems: string[] = [];
  let index = 0;
  for (const sample of samples) {
    const label = `sample ${index++}`;
    if (!writerType.isValid(sample)) {
      problems.push(`${label}: not a valid value of the writer schema`);
      continue;
    }
    let decoded: unknown;
    try {
      decoded = readerType.fromBuffer(writerType.toBuffer(sample), resolver);
    } catch (err) {
      problems.push(`${label}: written with the writer, unreadable with the reader: ${(err as Error).message}`);
      continue;
    }
    if (!readerType.isValid(decoded)) problems.push(`${label}: decoded value is not valid for the reader`);
    compareShared(writerType, readerType, sample, decoded, label, problems);
  }
  return problems;
}

function compareShared(writer: Type, reader: Type, written: unknown, read: unknown, path: string, problems: string[]): void {
  if (writer instanceof types.RecordType && reader instanceof types.RecordType) {
    const w = written as Record<string, unknown>;
    const r = read as Record<string, unknown>;
    for (const field of reader.fields) {
      const source = writer.fields.find((f) => f.name === field.name || field.aliases.includes(f.name));
      if (source) {
        compareShared(source.type, field.type, w[source.name], r[field.name], `${path}.${field.name}`, problems);
      } else if (!sameValue(field.defaultValue(), r[field.name])) {
        problems.push(`${path}.${field.name}: new field did not take its default`);
      }
    }
    return;
  }
  if (isUnion(writer) || isUnion(reader)) {
    const wBranch = branchOf(writer, written);
    const rBranch = branchOf(reader, read);
    if (!wBranch || !rBranch) {
      problems.push(`${path}: value matches no union branch`);
      return;
    }
    compareShared(wBranch, rBranch, written, read, path, problems);
    return;
  }
  if (writer instanceof types.ArrayType && reader instanceof types.ArrayType) {
    const w = written as unknown[];
    const r = read as unknown[];
    if (w.length !== r.length) {
      problems.push(`${path}: array length ${w.length} read as ${r.length}`);
      return;
    }
    w.forEach((item, i) => compareShared(writer.itemsType, reader.itemsType, item, r[i], `${path}.${i}`, problems));
    return;
  }
  if (writer instanceof types.MapType && reader instanceof types.MapType) {
    const w = written as Record<string, unknown>;
    const r = read as Record<string, unknown>;
    for (const key of Object.keys(w)) compareShared(writer.valuesType as Type, reader.valuesType as Type, w[key], r[key], `${path}.${key}`, problems);
    return;
  }
  if (reader.typeName === 'float' && typeof written === 'number') {
    if (Math.fround(written) !== read) problems.push(`${path}: ${written} read as ${String(read)}`);
    return;
  }
  if (!sameValue(typeof written === 'string' && Buffer.isBuffer(read) ? Buffer.from(written) : written, read)) {
    problems.push(`${path}: ${preview(written)} read as ${preview(read)}`);
  }
}

function isUnion(type: Type): type is types.UnwrappedUnionType {
  return type instanceof types.UnwrappedUnionType;
}

function branchOf(type: Type, value: unknown): Type | undefined {
  if (!isUnion(type)) return type;
  return type.types.find((branch) => branch.isValid(value));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b) || (typeof a === 'number' && a === b);
}

function preview(value: unknown): string {
  const text = Buffer.isBuffer(value) ? `<${value.length} bytes>` : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
