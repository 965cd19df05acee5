import { CreateIngestionSchema1767225600000 } from './1767225600000-create-ingestion-schema.migration';
import { CreateSourcesAndReceivedMessages1767312000000 } from './1767312000000-create-sources-and-received-messages.migration';
import { CreateImportJobs1767398400000 } from './1767398400000-create-import-jobs.migration';
import { CreateSecurityTables1767571200000 } from './1767571200000-create-security-tables.migration';
import { CreateRateBuckets1767657600000 } from './1767657600000-create-rate-buckets.migration';

/** Every migration of the ingestion schema, oldest first. */
export const INGESTION_MIGRATIONS = [CreateIngestionSchema1767225600000, CreateSourcesAndReceivedMessages1767312000000, CreateImportJobs1767398400000, CreateSecurityTables1767571200000, CreateRateBuckets1767657600000];
