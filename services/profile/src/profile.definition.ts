import type { ServiceDefinition } from '@cdp/service-kit';
import { mountOpenApi } from './api/openapi';
import { version } from '../package.json';
import type { ProfileConfig } from './config';
import { ProfileModule } from './profile.module';
import { PROFILE_MIGRATIONS } from './persistence/migrations';

export const profileService: ServiceDefinition<ProfileConfig> = {
  name: 'profile',
  version,
  module: ProfileModule,
  database: { migrations: PROFILE_MIGRATIONS },
  // Nearly every batch sends a ProfileChanged per profile it touched: outbox rows are deleted once
  // Kafka has them rather than rewritten to mark them (the topic keeps them anyway).
  kafka: { outbox: { outboxRetentionMs: 0 } },
  configureApp: (app) => {
    mountOpenApi(app);
    // Answers are per caller and per moment (personal data, audit): nothing to revalidate, so no
    // ETag, whose computation hashes every body.
    app.set('etag', false);
  },
};
