import {
  clickhouseConfigFrom,
  clickhouseEnv,
  ConfigError,
  env,
  serviceConfig,
  type ClickHouseConfig,
  type ConfigSchema,
  type EnvSource,
  type ServiceConfig,
} from '@cdp/config';

/** Used only when NODE_ENV is development or test, so a laptop works without set-up; production must set its own. */
export const DEVELOPMENT_API_TOKEN = 'cdp-dev-analytics-token';

/** What an analyst's query may use; ClickHouse enforces them on the query's read-only session. */
export interface SqlLimits {
  /** max_execution_time: the query is stopped (not just abandoned) after this long. */
  maxExecutionSeconds: number;
  /** max_result_rows. */
  maxResultRows: number;
  /** max_result_bytes (uncompressed, as ClickHouse counts its result blocks). */
  maxResultBytes: number;
  /** max_memory_usage of one query. */
  maxMemoryBytes: number;
}

export interface AnalyticsSettings {
  /** Bearer token of the HTTP API (SQL, timelines, reports); see DEVELOPMENT_API_TOKEN. */
  apiToken: string;
  sql: SqlLimits;
}

export type AnalyticsConfig = ServiceConfig & { clickhouse: ClickHouseConfig; analytics: AnalyticsSettings };

const base = serviceConfig(
  { name: 'analytics', port: 4006, schema: 'analytics' },
  {
    env: {
      ...clickhouseEnv,
      ANALYTICS_API_TOKEN: env.string({ pattern: /^\S{16,}$/, description: 'expected at least 16 characters without spaces' }).optional(),
      ANALYTICS_SQL_MAX_EXECUTION_SECONDS: env.int({ min: 1, max: 3600 }).default('30'),
      ANALYTICS_SQL_MAX_RESULT_ROWS: env.int({ min: 1, max: 100_000_000 }).default('100000'),
      ANALYTICS_SQL_MAX_RESULT_BYTES: env.int({ min: 1024, max: 64 * 1024 ** 3 }).default(String(100 * 1024 ** 2)),
      ANALYTICS_SQL_MAX_MEMORY_BYTES: env.int({ min: 16 * 1024 ** 2, max: 1024 ** 4 }).default(String(2 * 1024 ** 3)),
    },
    build: (values) => ({
      clickhouse: clickhouseConfigFrom(values),
      apiTokenFromEnv: values.ANALYTICS_API_TOKEN,
      analytics: {
        apiToken: values.ANALYTICS_API_TOKEN ?? DEVELOPMENT_API_TOKEN,
        sql: {
          maxExecutionSeconds: values.ANALYTICS_SQL_MAX_EXECUTION_SECONDS,
          maxResultRows: values.ANALYTICS_SQL_MAX_RESULT_ROWS,
          maxResultBytes: values.ANALYTICS_SQL_MAX_RESULT_BYTES,
          maxMemoryBytes: values.ANALYTICS_SQL_MAX_MEMORY_BYTES,
        },
      },
    }),
  },
);

/**
 * Defaults match infra/services.json; ClickHouse is embedded (data in .data/clickhouse) unless
 * CLICKHOUSE_URL is set. The API token may only fall back to the documented development value
 * outside production.
 */
export const analyticsConfig: ConfigSchema<AnalyticsConfig> = {
  variables: base.variables,
  shape: base.shape,
  parse(source: EnvSource): AnalyticsConfig {
    const { apiTokenFromEnv, ...config } = base.parse(source);
    if (config.nodeEnv === 'production' && apiTokenFromEnv === undefined) {
      throw new ConfigError([{ variable: 'ANALYTICS_API_TOKEN', reason: 'required when NODE_ENV is production', received: undefined }]);
    }
    return config;
  },
};
