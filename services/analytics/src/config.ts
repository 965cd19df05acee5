import { clickhouseConfigFrom, clickhouseEnv, serviceConfig, type ClickHouseConfig, type ServiceConfig } from '@cdp/config';

export type AnalyticsConfig = ServiceConfig & { clickhouse: ClickHouseConfig };

/** Defaults match infra/services.json; ClickHouse is embedded (data in .data/clickhouse) unless CLICKHOUSE_URL is set. */
export const analyticsConfig = serviceConfig(
  { name: 'analytics', port: 4006, schema: 'analytics' },
  { env: clickhouseEnv, build: (values) => ({ clickhouse: clickhouseConfigFrom(values) }) },
);
