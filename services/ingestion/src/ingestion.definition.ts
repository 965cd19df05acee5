import type { ServiceDefinition } from '@cdp/service-kit';
import { version } from '../package.json';
import type { IngestionConfig } from './config';
import { IngestionModule } from './ingestion.module';
import { INGESTION_MIGRATIONS } from './persistence/migrations';
import { SourceEntity } from './persistence/source.entity';

export const ingestionService: ServiceDefinition<IngestionConfig> = {
  name: 'ingestion',
  version,
  module: IngestionModule,
  database: { migrations: INGESTION_MIGRATIONS, entities: [SourceEntity] },
};
