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
};
