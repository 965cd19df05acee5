import type { ServiceDefinition } from '@cdp/service-kit';
import { version } from '../package.json';
import { AnalyticsModule } from './analytics.module';
import type { AnalyticsConfig } from './config';
import { migrateClickHouse } from './persistence/clickhouse-migrations';
import { ANALYTICS_MIGRATIONS } from './persistence/migrations';

export const analyticsService: ServiceDefinition<AnalyticsConfig> = {
  name: 'analytics',
  version,
  module: AnalyticsModule,
  database: { migrations: ANALYTICS_MIGRATIONS },
  migrate: migrateClickHouse,
};
