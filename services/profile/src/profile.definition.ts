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
  kafka: {
    // Three partitions at a time: while one batch waits on Postgres another is folded, and a backlog
    // on one partition does not hold up the others. Batches of different partitions touch different
    // profiles (resolved events are keyed by profile); where a merge's batch meets one, row locks
    // order them (a deadlock between them is re-run by the runtime).
    consumer: { partitionsConsumedConcurrently: 3 },
    // Nearly every batch sends a ProfileChanged per profile it touched: outbox rows are deleted once
    // Kafka has them rather than rewritten to mark them (the topic keeps them anyway).
    outbox: { outboxRetentionMs: 0 },
  },
  configureApp: (app) => {
    mountOpenApi(app);
    // Answers are per caller and per moment (personal data, audit): nothing to revalidate, so no
    // ETag, whose computation hashes every body.
    app.set('etag', false);
  },
};
