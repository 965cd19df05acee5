export type ClickHouseErrorCode =
  | 'CLICKHOUSE_CWD_CONFIG'
  | 'CLICKHOUSE_DATA_PATH_MISMATCH'
  | 'CLICKHOUSE_UNREACHABLE'
  | 'CLICKHOUSE_SESSION_INVALID'
  | 'CLICKHOUSE_MIGRATION_INVALID'
  | 'CLICKHOUSE_MIGRATION_CHANGED'
  | 'CLICKHOUSE_MIGRATION_FAILED';

export class ClickHouseError extends Error {
  constructor(
    readonly code: ClickHouseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClickHouseError';
  }
}
