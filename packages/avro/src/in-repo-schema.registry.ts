import {
  type AvroSchemaJson,
  type ContractSchema,
  loadContractSchemas,
  loadSchemaIds,
  schemaIdKey,
  stableStringify,
} from '@cdp/contracts';
import { AvroError } from './avro.errors';
import type { SchemaRegistry } from './schema-registry';

export interface InRepoSchemaRegistryOptions {
  /** Defaults to every committed contract version. */
  readonly schemas?: readonly Pick<ContractSchema, 'name' | 'version' | 'schema'>[];
  /** `<full name>@v<N>` -> id; defaults to contracts/avro/ids.json. */
  readonly ids?: ReadonlyMap<string, number>;
}

interface Entry {
  readonly id: number;
  readonly name: string;
  readonly version: number;
  readonly schema: AvroSchemaJson;
}

/**
 * Registry answered from contracts/ alone: ids come from the committed manifest, so every process on
 * every machine agrees on them without a registry server. Only committed schema versions have ids;
 * anything else is refused rather than given an id another process would not know.
 */
export class InRepoSchemaRegistry implements SchemaRegistry {
  private readonly byId = new Map<number, Entry>();
  private readonly bySchema = new Map<string, Entry>();

  constructor(options: InRepoSchemaRegistryOptions = {}) {
    const schemas = options.schemas ?? loadContractSchemas();
    const ids = options.ids ?? loadSchemaIds();
    for (const s of schemas) {
      const key = schemaIdKey(s.name, s.version);
      const id = ids.get(key);
      if (id === undefined) throw new AvroError('AVRO_UNKNOWN_SCHEMA', `${key} has no id in the manifest; run npm run contracts:generate`, { fullName: s.name });
      const clash = this.byId.get(id);
      if (clash) throw new AvroError('AVRO_REGISTRY_ERROR', `id ${id} is assigned to both ${schemaIdKey(clash.name, clash.version)} and ${key}`, { schemaId: id });
      const entry: Entry = { id, name: s.name, version: s.version, schema: s.schema };
      this.byId.set(id, entry);
      // Identical text in two versions would make the id ambiguous; the first (oldest) wins, which is stable.
      const text = stableStringify(s.schema);
      if (!this.bySchema.has(text)) this.bySchema.set(text, entry);
    }
  }

  async idFor(subject: string, schema: AvroSchemaJson): Promise<number> {
    const entry = this.bySchema.get(stableStringify(schema));
    if (!entry) {
      throw new AvroError(
        'AVRO_UNKNOWN_SCHEMA',
        `schema for subject ${subject} is not a committed contract version (add contracts/avro/<name>/v<N>.avsc and run npm run contracts:generate)`,
        { fullName: subject },
      );
    }
    return entry.id;
  }

  async schemaById(id: number): Promise<AvroSchemaJson> {
    const entry = this.byId.get(id);
    if (!entry) throw new AvroError('AVRO_UNKNOWN_SCHEMA', `no contract schema has id ${id}`, { schemaId: id });
    return entry.schema;
  }

  /** Version of the contract behind an id, for diagnostics. */
  describe(id: number): { name: string; version: number } | undefined {
    const entry = this.byId.get(id);
    return entry && { name: entry.name, version: entry.version };
  }
}
