export { createClickHouse, sessionStatements } from './clickhouse';
export type { ClickHouse, ClickHouseConfig, ClickHouseSessionOptions, CreateClickHouseOptions } from './clickhouse';
export {
  runClickHouseMigrations,
  loadClickHouseMigrations,
  appliedMigrations,
  DATABASE_PLACEHOLDER,
} from './clickhouse-migrations';
export type { ClickHouseMigration, MigrationOutcome } from './clickhouse-migrations';
export { splitSqlStatements } from './sql-statements';
export { ClickHouseError } from './clickhouse.error';
export type { ClickHouseErrorCode } from './clickhouse.error';
