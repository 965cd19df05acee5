import { ServiceError } from '@cdp/service-kit';

export type AnalyticsErrorCode =
  | 'API_TOKEN_MISSING'
  | 'API_TOKEN_INVALID'
  | 'INVALID_REQUEST'
  | 'INVALID_CURSOR'
  | 'SQL_MULTIPLE_STATEMENTS'
  | 'SQL_WRITE_REFUSED'
  | 'SQL_DDL_REFUSED'
  | 'SQL_STATEMENT_REFUSED'
  | 'SQL_OUTPUT_REFUSED'
  | 'SQL_TABLE_REFUSED'
  | 'SQL_TABLE_FUNCTION_REFUSED'
  | 'SQL_FUNCTION_REFUSED'
  | 'CLICKHOUSE_ERROR'
  | 'CLICKHOUSE_UNAVAILABLE'
  | 'REPORT_NOT_FOUND';

/** Members the problem document carries besides the RFC 9457 ones. */
export interface AnalyticsErrorExtras {
  /** What was refused: the statement kind, table, table function or function. */
  refused?: string;
  /** ClickHouse's own error code and name, for CLICKHOUSE_ERROR. */
  clickhouse?: { code: number | null; type: string | null };
  /** WWW-Authenticate of a 401. */
  authenticate?: string;
  cause?: unknown;
}

/** The analytics module's errors: a stable code, the HTTP status, and what the answer carries besides. */
export class AnalyticsError extends ServiceError {
  constructor(
    override readonly code: AnalyticsErrorCode,
    message: string,
    status: number,
    readonly extras: AnalyticsErrorExtras = {},
  ) {
    super(code, message, status, { cause: extras.cause });
  }
}
