import { ConfigError, env, serviceConfig, type ConfigSchema, type EnvSource, type ServiceConfig } from '@cdp/config';

/** Used only when NODE_ENV is development or test, so a laptop works without set-up; production must set its own. */
export const DEVELOPMENT_ADMIN_TOKEN = 'cdp-dev-admin-token';

export interface IngestionSettings {
  /** Bearer token of the management API (sources); see DEVELOPMENT_ADMIN_TOKEN. */
  adminToken: string;
  /** How long a messageId is remembered for deduplication (at least the 24 h Segment clients rely on). */
  dedupeRetentionHours: number;
  /** Events per second per source when the source sets no limit of its own. */
  defaultRateLimitPerSecond: number;
  /** How long a request waits for Kafka (connect and acknowledgement) before answering 503. */
  produceTimeoutMs: number;
  /** How long an instance trusts a looked-up write key; rotation and disabling reach other instances within it. */
  sourceCacheTtlMs: number;
}

export type IngestionConfig = ServiceConfig & { ingestion: IngestionSettings };

const base = serviceConfig(
  { name: 'ingestion', port: 4001, schema: 'ingestion' },
  {
    env: {
      INGESTION_ADMIN_TOKEN: env
        .string({ pattern: /^\S{16,}$/, description: 'expected at least 16 characters without spaces' })
        .optional(),
      // 24 h is what Segment's clients rely on; the extra covers the pruning interval and clock differences.
      INGESTION_DEDUPE_RETENTION_HOURS: env.int({ min: 24, max: 24 * 30 }).default('26'),
      INGESTION_DEFAULT_RATE_LIMIT: env.int({ min: 1, max: 10_000_000 }).default('10000'),
      INGESTION_PRODUCE_TIMEOUT_MS: env.int({ min: 100, max: 120_000 }).default('5000'),
      INGESTION_SOURCE_CACHE_TTL_MS: env.int({ min: 0, max: 600_000 }).default('5000'),
    },
    build: (values) => ({
      adminTokenFromEnv: values.INGESTION_ADMIN_TOKEN,
      ingestion: {
        adminToken: values.INGESTION_ADMIN_TOKEN ?? DEVELOPMENT_ADMIN_TOKEN,
        dedupeRetentionHours: values.INGESTION_DEDUPE_RETENTION_HOURS,
        defaultRateLimitPerSecond: values.INGESTION_DEFAULT_RATE_LIMIT,
        produceTimeoutMs: values.INGESTION_PRODUCE_TIMEOUT_MS,
        sourceCacheTtlMs: values.INGESTION_SOURCE_CACHE_TTL_MS,
      },
    }),
  },
);

/**
 * Defaults match infra/services.json. The admin token may only fall back to the documented
 * development value outside production: a production instance without one refuses to start.
 */
export const ingestionConfig: ConfigSchema<IngestionConfig> = {
  variables: base.variables,
  shape: base.shape,
  parse(source: EnvSource): IngestionConfig {
    const { adminTokenFromEnv, ...config } = base.parse(source);
    if (config.nodeEnv === 'production' && adminTokenFromEnv === undefined) {
      throw new ConfigError([{ variable: 'INGESTION_ADMIN_TOKEN', reason: 'required when NODE_ENV is production', received: undefined }]);
    }
    return config;
  },
};
