import { ConfluentSchemaRegistry, type ConfluentSchemaRegistryOptions } from './confluent-schema.registry';
import { InRepoSchemaRegistry } from './in-repo-schema.registry';
import type { SchemaRegistry } from './schema-registry';

export interface SchemaRegistrySettings extends Partial<Omit<ConfluentSchemaRegistryOptions, 'url'>> {
  /** SCHEMA_REGISTRY_URL from the service config; absent -> the in-repo registry. */
  readonly url?: string;
}

/** The Confluent-compatible registry when a URL is configured, else the registry built from contracts/. */
export function createSchemaRegistry(settings: SchemaRegistrySettings = {}): SchemaRegistry {
  const { url, ...rest } = settings;
  return url ? new ConfluentSchemaRegistry({ url, ...rest }) : new InRepoSchemaRegistry();
}
