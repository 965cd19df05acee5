import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@clickhouse/client';
import type { ClickHouse } from '@cdp/clickhouse';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import { AnalyticsError } from '../analytics.error';
import type { AnalyticsConfig } from '../config';
import { CLICKHOUSE } from './clickhouse.provider';

/**
 * Read-only ClickHouse sessions for everything the HTTP API reads: one session per request, in
 * the analytics database, with the configured limits and `readonly = 1` applied last, so that
 * neither the query nor a SETTINGS clause in it can write or lift a limit. A session of its own
 * also keeps a slow report from queueing the sink's inserts (queries on one embedded session run
 * one at a time) and keeps a failed query's partial output from reaching another request.
 */
@Injectable()
export class ReadSessions {
  private readonly settings: Record<string, string | number>;
  private readonly inspectionSettings: Record<string, string | number>;

  constructor(
    @Inject(CLICKHOUSE) private readonly clickhouse: ClickHouse,
    @Inject(SERVICE_CONFIG) config: AnalyticsConfig,
  ) {
    const { sql } = config.analytics;
    this.settings = {
      max_execution_time: sql.maxExecutionSeconds,
      timeout_overflow_mode: 'throw',
      max_result_rows: sql.maxResultRows,
      max_result_bytes: sql.maxResultBytes,
      result_overflow_mode: 'throw',
      max_memory_usage: sql.maxMemoryBytes,
      // JavaScript numbers lose precision beyond 2^53; the embedded engine and servers differ in this default.
      output_format_json_quote_64bit_integers: 1,
    };
    // EXPLAIN dumps run to a line per node: the result limits meant for answers would cut them.
    this.inspectionSettings = { max_execution_time: sql.maxExecutionSeconds, timeout_overflow_mode: 'throw', max_memory_usage: sql.maxMemoryBytes };
  }

  get database(): string {
    return this.clickhouse.database;
  }

  /** Runs `work` on a read-only session with the result limits of an answer. */
  run<T>(work: (session: ClickHouseClient) => Promise<T>): Promise<T> {
    return this.open(this.settings, work);
  }

  /** Runs `work` on a read-only session without result limits, for EXPLAIN dumps. */
  inspect<T>(work: (session: ClickHouseClient) => Promise<T>): Promise<T> {
    return this.open(this.inspectionSettings, work);
  }

  private open<T>(settings: Record<string, string | number>, work: (session: ClickHouseClient) => Promise<T>): Promise<T> {
    return this.clickhouse.withSession({ database: this.clickhouse.database, settings, readOnly: true }, work).catch((error: unknown) => {
      throw asAnalyticsError(error);
    });
  }
}

/** ClickHouse's own errors (code and name) are the query's fault: 400; anything else means ClickHouse is not there: 503. */
export function asAnalyticsError(error: unknown): unknown {
  if (error instanceof AnalyticsError) return error;
  const { code, type, message } = (error ?? {}) as { code?: unknown; type?: unknown; message?: unknown };
  if (typeof code === 'string' && /^\d+$/.test(code) && typeof message === 'string') {
    // The client reads the error name from the first parenthesis of the message, which in a syntax
    // error is the token ClickHouse stopped at.
    const name = code === '62' ? 'SYNTAX_ERROR' : typeof type === 'string' ? type : null;
    return new AnalyticsError('CLICKHOUSE_ERROR', message.trim(), 400, {
      clickhouse: { code: Number(code), type: name },
      cause: error,
    });
  }
  return new AnalyticsError('CLICKHOUSE_UNAVAILABLE', 'ClickHouse did not answer', 503, { cause: error });
}
