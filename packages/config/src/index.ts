export { defineConfig, loadConfig } from './define-config';
export type { ConfigSchema, EnvShape, EnvSource, EnvValues } from './define-config';
export { ConfigError } from './config.error';
export type { ConfigIssue } from './config.error';
export { env, EnvVariable, isHost } from './env-variable';
export {
  serviceConfig,
  commonEnv,
  LOG_LEVELS,
  NODE_ENVS,
  DEFAULT_DATABASE_URL,
  DEFAULT_KAFKA_BROKERS,
} from './service-config';
export type { ServiceConfig, ServiceDefaults, LogLevel, NodeEnv } from './service-config';
export { clickhouseEnv, clickhouseConfigFrom } from './clickhouse-config';
export type { ClickHouseConfig } from './clickhouse-config';
