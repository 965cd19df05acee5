import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { type AvroRecordSchema, fullNameOf, isRecordSchema } from './avro-schema';
import { ContractError } from './contract.errors';

/**
 * Layout: contracts/avro/<record full name>/v<N>.avsc, one immutable file per published version, and
 * contracts/avro/ids.json assigning each `<full name>@v<N>` a registry id forever. The directory sits
 * beside both src/ and dist/, so the same relative path works from sources and from the build.
 */
export const CONTRACTS_AVRO_DIR = join(__dirname, '..', 'avro');
const IDS_FILE = 'ids.json';
const VERSION_FILE = /^v([1-9][0-9]*)\.avsc$/;

export interface ContractSchema {
  /** Full record name, which is also the registry subject (record-name strategy). */
  readonly name: string;
  readonly version: number;
  readonly schema: AvroRecordSchema;
  /** Absolute path of the .avsc file. */
  readonly file: string;
}

let cached: readonly ContractSchema[] | undefined;
let cachedIds: ReadonlyMap<string, number> | undefined;

/** Every version of every contract schema, sorted by name then version. Parsed once, deeply frozen. */
export function loadContractSchemas(dir: string = CONTRACTS_AVRO_DIR): readonly ContractSchema[] {
  if (dir === CONTRACTS_AVRO_DIR && cached) return cached;
  const schemas: ContractSchema[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const versions: ContractSchema[] = [];
    for (const fileName of readdirSync(join(dir, entry.name))) {
      const file = join(dir, entry.name, fileName);
      const match = VERSION_FILE.exec(fileName);
      if (!match) throw new ContractError('CONTRACT_INVALID_FILE', `${file}: expected v<N>.avsc`);
      let schema: unknown;
      try {
        schema = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        throw new ContractError('CONTRACT_INVALID_FILE', `${file}: not JSON (${(err as Error).message})`);
      }
      if (!isRecordSchema(schema)) throw new ContractError('CONTRACT_INVALID_FILE', `${file}: top level must be a named record`);
      const name = fullNameOf(schema);
      if (name !== entry.name) {
        throw new ContractError('CONTRACT_INVALID_FILE', `${file}: record ${name} must live in a directory named after it`);
      }
      if (!name.startsWith('cdp.')) throw new ContractError('CONTRACT_INVALID_FILE', `${file}: namespace must start with "cdp."`);
      versions.push({ name, version: Number(match[1]), schema: deepFreeze(schema), file });
    }
    versions.sort((a, b) => a.version - b.version);
    versions.forEach((v, i) => {
      // A gap would mean a published version was deleted, and its id could be reused by mistake.
      if (v.version !== i + 1) throw new ContractError('CONTRACT_INVALID_FILE', `${entry.name}: versions must run v1..vN without gaps`);
    });
    schemas.push(...versions);
  }
  schemas.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version));
  const result = Object.freeze(schemas);
  if (dir === CONTRACTS_AVRO_DIR) cached = result;
  return result;
}

/** Names of every contract record, sorted. */
export function contractSchemaNames(): readonly string[] {
  return [...new Set(loadContractSchemas().map((s) => s.name))];
}

/** All versions of one record, oldest first. */
export function schemaVersions(fullName: string): readonly ContractSchema[] {
  const versions = loadContractSchemas().filter((s) => s.name === fullName);
  if (versions.length === 0) throw new ContractError('CONTRACT_UNKNOWN_SCHEMA', `no contract schema named ${fullName}`);
  return versions;
}

export function latestSchema(fullName: string): ContractSchema {
  const versions = schemaVersions(fullName);
  return versions[versions.length - 1];
}

export function findLatestSchema(fullName: string): ContractSchema | undefined {
  const versions = loadContractSchemas().filter((s) => s.name === fullName);
  return versions[versions.length - 1];
}

export function schemaIdKey(fullName: string, version: number): string {
  return `${fullName}@v${version}`;
}

/** The committed id manifest: `<full name>@v<N>` -> registry id. */
export function loadSchemaIds(dir: string = CONTRACTS_AVRO_DIR): ReadonlyMap<string, number> {
  if (dir === CONTRACTS_AVRO_DIR && cachedIds) return cachedIds;
  const file = join(dir, IDS_FILE);
  if (!existsSync(file)) throw new ContractError('CONTRACT_MISSING_ID', `${file} is missing; run npm run contracts:generate`);
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const ids = new Map<string, number>();
  for (const [key, id] of Object.entries(raw)) {
    if (!Number.isInteger(id) || (id as number) <= 0) throw new ContractError('CONTRACT_INVALID_FILE', `${file}: id of ${key} must be a positive integer`);
    ids.set(key, id as number);
  }
  if (dir === CONTRACTS_AVRO_DIR) cachedIds = ids;
  return ids;
}

/** Registry id of one committed version; throws when the manifest lacks it. */
export function schemaIdOf(fullName: string, version: number): number {
  const id = loadSchemaIds().get(schemaIdKey(fullName, version));
  if (id === undefined) {
    throw new ContractError('CONTRACT_MISSING_ID', `${schemaIdKey(fullName, version)} has no id in ids.json; run npm run contracts:generate`);
  }
  return id;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
