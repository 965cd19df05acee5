import type { ServiceDefinition } from '@cdp/service-kit';
import { version } from '../package.json';
import type { LoyaltyConfig } from './config';
import { LoyaltyModule } from './loyalty.module';
import { LOYALTY_MIGRATIONS } from './persistence/migrations';

export const loyaltyService: ServiceDefinition<LoyaltyConfig> = {
  name: 'loyalty',
  version,
  module: LoyaltyModule,
  database: { migrations: LOYALTY_MIGRATIONS },
  // Accounts of different partitions rarely meet (a member's events share a partition), so three
  // partitions at a time overlap their round trips; published ledger rows are deleted, not rewritten.
  kafka: { consumer: { partitionsConsumedConcurrently: 3 }, outbox: { outboxRetentionMs: 0 } },
};
