import type { AvroSchemaJson } from '@cdp/contracts';

/**
 * Where schema ids come from. Subjects follow the record-name strategy: the subject is the record's
 * full name (e.g. `cdp.ingest.IngestedEvent`), never the topic, so prefixed test topics share subjects
 * with production ones and a topic may carry several record types.
 */
export interface SchemaRegistry {
  /** Id of `schema` under `subject`, registering it first if the registry allows it. */
  idFor(subject: string, schema: AvroSchemaJson): Promise<number>;
  /** The writer schema with this id. */
  schemaById(id: number): Promise<AvroSchemaJson>;
}

/** Subject of a record under the record-name strategy. */
export function subjectFor(fullName: string): string {
  return fullName;
}
