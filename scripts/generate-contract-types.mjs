#!/usr/bin/env node
// Generates contracts/src/generated/contract-types.ts from the latest version of every schema under
// contracts/avro/, and assigns registry ids to new schema versions in contracts/avro/ids.json
// (append-only: an id, once given, never changes, so ids stay stable across machines and time).
//
//   node scripts/generate-contract-types.mjs          write both files
//   node scripts/generate-contract-types.mjs --check  write nothing; exit 1 if either is out of date
//
// Type mapping (what avsc produces when decoding with default options): null -> null, boolean -> boolean,
// int/long/float/double -> number (timestamp-millis longs are epoch milliseconds), string -> string,
// bytes/fixed -> Buffer, enum -> union of string literals, array -> T[], map -> Record<string, T>,
// record -> interface, union -> TS union. Unions of several records/maps are rejected: avsc would wrap them.
import { readFileSync, writeFileSync, readdirSync, existsSync, mkdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const avroDir = join(root, 'contracts', 'avro');
const outFile = join(root, 'contracts', 'src', 'generated', 'contract-types.ts');
const idsFile = join(avroDir, 'ids.json');
const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

class GenerationError extends Error {}

function loadVersions() {
  const byName = new Map();
  for (const dir of readdirSync(avroDir, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const file of readdirSync(join(avroDir, dir.name))) {
      const m = /^v([1-9][0-9]*)\.avsc$/.exec(file);
      if (!m) throw new GenerationError(`${dir.name}/${file}: expected v<N>.avsc`);
      const schema = JSON.parse(readFileSync(join(avroDir, dir.name, file), 'utf8'));
      const list = byName.get(dir.name) ?? [];
      list.push({ version: Number(m[1]), schema });
      byName.set(dir.name, list);
    }
  }
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, versions]) => ({ name, versions: versions.sort((a, b) => a.version - b.version) }));
}

function qualify(name, namespace) {
  if (PRIMITIVES.has(name) || name.includes('.') || !namespace) return name;
  return `${namespace}.${name}`;
}

function stable(value) {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stable(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Walks one schema file; registers every named type (flattened: nested named types replaced by their full
 * name) into `named`, failing when the same full name is defined differently in two files, since the
 * generated code (and the embedded copies in other contracts) would then disagree.
 */
function collectNamed(schema, namespace, named, origin) {
  if (typeof schema === 'string') return qualify(schema, namespace);
  if (Array.isArray(schema)) return schema.map((s) => collectNamed(s, namespace, named, origin));
  const t = schema.type;
  if (t === 'record' || t === 'error' || t === 'enum' || t === 'fixed') {
    const fullName = qualify(schema.name, schema.namespace ?? namespace);
    const ns = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : undefined;
    let flat;
    if (t === 'record' || t === 'error') {
      flat = { ...schema, name: fullName, namespace: undefined, fields: schema.fields.map((f) => ({ ...f, type: collectNamed(f.type, ns, named, origin) })) };
    } else {
      flat = { ...schema, name: fullName, namespace: undefined };
    }
    const previous = named.get(fullName);
    if (previous && stable(previous.flat) !== stable(flat)) {
      throw new GenerationError(`${fullName} is defined differently in ${previous.origin} and ${origin}; embedded copies must match the latest definition`);
    }
    if (!previous) named.set(fullName, { flat, origin });
    return fullName;
  }
  if (t === 'array') return { ...schema, items: collectNamed(schema.items, namespace, named, origin) };
  if (t === 'map') return { ...schema, values: collectNamed(schema.values, namespace, named, origin) };
  if (typeof t === 'string' && PRIMITIVES.has(t)) return schema.logicalType ? { ...schema } : t;
  return collectNamed(t, namespace, named, origin);
}

const shortName = (fullName) => fullName.slice(fullName.lastIndexOf('.') + 1);
const constName = (name) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

function tsType(ref, named, ctx) {
  if (typeof ref === 'string') {
    switch (ref) {
      case 'null': return 'null';
      case 'boolean': return 'boolean';
      case 'int': case 'long': case 'float': case 'double': return 'number';
      case 'string': return 'string';
      case 'bytes': return 'Buffer';
      default: {
        const def = named.get(ref);
        if (!def) throw new GenerationError(`${ctx}: unknown type ${ref}`);
        return def.flat.type === 'fixed' ? 'Buffer' : shortName(ref);
      }
    }
  }
  if (Array.isArray(ref)) {
    const objectish = ref.filter((b) => {
      const def = typeof b === 'string' ? named.get(b) : undefined;
      return (def && (def.flat.type === 'record' || def.flat.type === 'error')) || (b && b.type === 'map');
    });
    if (objectish.length > 1) throw new GenerationError(`${ctx}: unions of several records/maps are wrapped by avsc; model them differently`);
    // Nullable reads as `T | null`: null goes last whatever its branch position (which only sets the default).
    const branches = ref.map((b) => tsType(b, named, ctx));
    return [...branches.filter((b) => b !== 'null'), ...branches.filter((b) => b === 'null')].join(' | ');
  }
  if (ref.type === 'array') {
    const inner = tsType(ref.items, named, ctx);
    return inner.includes(' | ') ? `Array<${inner}>` : `${inner}[]`;
  }
  if (ref.type === 'map') return `Record<string, ${tsType(ref.values, named, ctx)}>`;
  if (ref.logicalType === 'decimal') throw new GenerationError(`${ctx}: decimal has no TS mapping in this codebase; use double or long minor units`);
  return tsType(ref.type, named, ctx);
}

function jsdoc(lines, indent = '') {
  const text = lines.filter(Boolean).join(' ');
  if (!text) return '';
  return `${indent}/** ${text.replace(/\*\//g, '*\\/')} */\n`;
}

function isTimestamp(ref) {
  if (Array.isArray(ref)) return ref.some(isTimestamp);
  return !!ref && typeof ref === 'object' && ref.logicalType === 'timestamp-millis';
}

function generate(contracts) {
  const named = new Map();
  const order = [];
  for (const { name, versions } of contracts) {
    const latest = versions[versions.length - 1];
    const before = new Set(named.keys());
    collectNamed(latest.schema, undefined, named, `${name}/v${latest.version}.avsc`);
    for (const key of named.keys()) if (!before.has(key)) order.push(key);
  }
  const shortNames = new Map();
  for (const fullName of named.keys()) {
    const short = shortName(fullName);
    if (shortNames.has(short)) throw new GenerationError(`${fullName} and ${shortNames.get(short)} share the TS name ${short}; rename one`);
    shortNames.set(short, fullName);
  }

  let out = '';
  out += '// Generated by scripts/generate-contract-types.mjs from the latest version of each contracts/avro schema.\n';
  out += '// Do not edit: change the .avsc files and run `npm run contracts:generate`; a unit test fails on drift.\n';
  out += '// Timestamps (timestamp-millis longs) are epoch milliseconds; JSON-typed strings hold serialized objects.\n\n';
  for (const fullName of order) {
    const { flat } = named.get(fullName);
    const name = shortName(fullName);
    if (flat.type === 'enum') {
      out += jsdoc([flat.doc, `Avro enum ${fullName}.`]);
      out += `export type ${name} = ${flat.symbols.map((s) => `'${s}'`).join(' | ')};\n`;
      out += `export const ${constName(name)}_SYMBOLS: readonly ${name}[] = [${flat.symbols.map((s) => `'${s}'`).join(', ')}];\n\n`;
    } else if (flat.type === 'fixed') {
      out += jsdoc([flat.doc, `Avro fixed ${fullName} (${flat.size} bytes).`]);
      out += `export type ${name} = Buffer;\n\n`;
    } else {
      out += jsdoc([flat.doc, `Avro record ${fullName}.`]);
      out += `export interface ${name} {\n`;
      for (const field of flat.fields) {
        const docs = [field.doc, isTimestamp(field.type) && !(field.doc ?? '').includes('epoch ms') ? 'Epoch ms.' : ''];
        if (field.default !== undefined) docs.push(`Default: ${JSON.stringify(field.default)}.`);
        out += jsdoc(docs, '  ');
        out += `  ${field.name}: ${tsType(field.type, named, `${fullName}.${field.name}`)};\n`;
      }
      out += '}\n\n';
    }
  }
  out += '/** Latest TS shape of every contract record, by full name (the registry subject). */\n';
  out += 'export interface ContractTypes {\n';
  for (const { name } of contracts) out += `  '${name}': ${shortName(name)};\n`;
  out += '}\n\n';
  out += 'export type ContractName = keyof ContractTypes;\n\n';
  out += '/** Latest version of every contract record; producers put it in metadata.schemaVersion. */\n';
  out += 'export const LATEST_CONTRACT_VERSIONS: Readonly<Record<ContractName, number>> = {\n';
  for (const { name, versions } of contracts) out += `  '${name}': ${versions[versions.length - 1].version},\n`;
  out += '};\n';
  return out;
}

function assignIds(contracts, current) {
  const ids = { ...current };
  const used = new Set(Object.values(ids));
  let next = Math.max(0, ...used) + 1;
  for (const { name, versions } of contracts) {
    for (const { version } of versions) {
      const key = `${name}@v${version}`;
      if (ids[key] === undefined) {
        ids[key] = next;
        used.add(next);
        next++;
      }
    }
  }
  return `${JSON.stringify(ids, null, 2)}\n`;
}

function main() {
  const check = process.argv.includes('--check');
  const contracts = loadVersions();
  const types = generate(contracts);
  const currentIds = existsSync(idsFile) ? JSON.parse(readFileSync(idsFile, 'utf8')) : {};
  const ids = assignIds(contracts, currentIds);
  const stale = [];
  if (!existsSync(outFile) || readFileSync(outFile, 'utf8') !== types) stale.push(outFile);
  if (!existsSync(idsFile) || readFileSync(idsFile, 'utf8') !== ids) stale.push(idsFile);
  if (check) {
    if (stale.length) {
      console.error(`out of date (run npm run contracts:generate): ${stale.join(', ')}`);
      process.exit(1);
    }
    console.log('contract types and ids are up to date');
    return;
  }
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, types);
  writeFileSync(idsFile, ids);
  console.log(`wrote ${outFile} and ${idsFile}`);
}

try {
  main();
} catch (err) {
  if (err instanceof GenerationError) {
    console.error(`generate-contract-types: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
