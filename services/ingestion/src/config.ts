import { serviceConfig, type ServiceConfig } from '@cdp/config';

export type IngestionConfig = ServiceConfig;

/** Defaults match infra/services.json. */
export const ingestionConfig = serviceConfig({ name: 'ingestion', port: 4001, schema: 'ingestion' });
