import { CreateIngestionSchema1767225600000 } from './1767225600000-create-ingestion-schema.migration';

/** Every migration of the ingestion schema, oldest first. */
export const INGESTION_MIGRATIONS = [CreateIngestionSchema1767225600000];
