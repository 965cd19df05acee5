import type { ServiceDefinition } from '@cdp/service-kit';
import { version } from '../package.json';
import type { IdentityConfig } from './config';
import { IdentityModule } from './identity.module';
import { IDENTITY_MIGRATIONS } from './persistence/migrations';

export const identityService: ServiceDefinition<IdentityConfig> = {
  name: 'identity',
  version,
  module: IdentityModule,
  database: { migrations: IDENTITY_MIGRATIONS },
  // Every ingested event goes out again, resolved, through the outbox: rows are deleted once Kafka
  // has them rather than rewritten to mark them, which halves the relay's writes.
  kafka: { outbox: { outboxRetentionMs: 0 } },
};
