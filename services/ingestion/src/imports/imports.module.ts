import { ImportJobsRepository } from './import-jobs.repository';
import { ImportsController } from './imports.controller';
import { ImportsService } from './imports.service';

/**
 * File imports, registered inside the ingestion module rather than as a module of their own: they
 * must share the online path's single producer, dedupe publisher, sources cache and metrics.
 */
export const IMPORTS_CONTROLLERS = [ImportsController];
export const IMPORTS_PROVIDERS = [ImportJobsRepository, ImportsService];
