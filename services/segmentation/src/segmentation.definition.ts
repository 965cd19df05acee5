import type { ServiceDefinition } from '@cdp/service-kit';
import { version } from '../package.json';
import type { SegmentationConfig } from './config';
import { SegmentationModule } from './segmentation.module';
import { SEGMENTATION_MIGRATIONS } from './persistence/migrations';

export const segmentationService: ServiceDefinition<SegmentationConfig> = {
  name: 'segmentation',
  version,
  module: SegmentationModule,
  database: { migrations: SEGMENTATION_MIGRATIONS },
};
