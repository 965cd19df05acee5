import { CreateIngestionSchema1767225600000 } from './1767225600000-create-ingestion-schema.migration';
import { CreateSourcesAndReceivedMessages1767312000000 } from './1767312000000-create-sources-and-received-messages.migration';

/** Every migration of the ingestion schema, oldest first. */
export const INGESTION_MIGRATIONS = [CreateIngestionSchema1767225600000, CreateSourcesAndReceivedMessages1767312000000];
