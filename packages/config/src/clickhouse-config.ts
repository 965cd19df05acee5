import { env } from './env-variable';

/** ClickHouse for the service that owns it (analytics). */
export interface ClickHouseConfig {
  /** A ClickHouse server (http[s]://[user:password@]host:port). Unset: embedded ClickHouse (chdb). */
  url: string | undefined;
  /** Data directory of the embedded engine; relative paths are relative to the working directory. */
  dataDir: string;
  /** The database holding the service's tables and its `schema_migrations` record. */
  database: string;
}

export const clickhouseEnv = {
  CLICKHOUSE_URL: env.url(['http:', 'https:']).optional(),
  CLICKHOUSE_DATA_DIR: env.string().default('.data/clickhouse'),
  CLICKHOUSE_DATABASE: env
    .string({ pattern: /^[A-Za-z_][A-Za-z0-9_]{0,62}$/, description: 'expected a ClickHouse identifier (letters, digits, "_")' })
    .default('cdp'),
};

export function clickhouseConfigFrom(values: {
  CLICKHOUSE_URL: string | undefined;
  CLICKHOUSE_DATA_DIR: string;
  CLICKHOUSE_DATABASE: string;
}): ClickHouseConfig {
  return { url: values.CLICKHOUSE_URL, dataDir: values.CLICKHOUSE_DATA_DIR, database: values.CLICKHOUSE_DATABASE };
}
