import { env, serviceConfig, type ServiceConfig } from '@cdp/config';
import { securityEnv, securitySettingsFrom, type SecuritySettings } from '@cdp/security';

export interface IngestionSettings {
  /** How long a messageId is remembered for deduplication (at least the 24 h Segment clients rely on). */
  dedupeRetentionHours: number;
  /** Events per second per source when the source sets no limit of its own. */
  defaultRateLimitPerSecond: number;
  /** How long a request waits for Kafka (connect and acknowledgement) before answering 503. */
  produceTimeoutMs: number;
  /** How long an instance trusts a looked-up write key; rotation and disabling reach other instances within it. */
  sourceCacheTtlMs: number;
}

export type IngestionConfig = ServiceConfig & { ingestion: IngestionSettings; security: SecuritySettings };

/**
 * Defaults match infra/services.json. The sources API is guarded by the platform's bearer tokens; the
 * security variables (keys, bootstrap admin token) come from @cdp/security.
 */
export const ingestionConfig = serviceConfig(
  { name: 'ingestion', port: 4001, schema: 'ingestion' },
  {
    env: {
      ...securityEnv,
      // 24 h is what Segment's clients rely on; the extra covers the pruning interval and clock differences.
      INGESTION_DEDUPE_RETENTION_HOURS: env.int({ min: 24, max: 24 * 30 }).default('26'),
      INGESTION_DEFAULT_RATE_LIMIT: env.int({ min: 1, max: 10_000_000 }).default('10000'),
      INGESTION_PRODUCE_TIMEOUT_MS: env.int({ min: 100, max: 120_000 }).default('5000'),
      INGESTION_SOURCE_CACHE_TTL_MS: env.int({ min: 0, max: 600_000 }).default('5000'),
    },
    build: (values) => ({
      security: securitySettingsFrom(values),
      ingestion: {
        dedupeRetentionHours: values.INGESTION_DEDUPE_RETENTION_HOURS,
        defaultRateLimitPerSecond: values.INGESTION_DEFAULT_RATE_LIMIT,
        produceTimeoutMs: values.INGESTION_PRODUCE_TIMEOUT_MS,
        sourceCacheTtlMs: values.INGESTION_SOURCE_CACHE_TTL_MS,
      },
    }),
  },
);
