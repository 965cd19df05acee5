import { Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@clickhouse/client';
import { AnalyticsError } from '../analytics.error';
import { sqlString } from '../persistence/clickhouse-sql';
import { ReadSessions } from '../persistence/read-sessions';
import { inspectAst, inspectQueryTree, refuseNonQuery, type Refusal } from './sql-inspection';

export type SqlFormat = 'json' | 'csv';
export type SqlParams = Record<string, unknown>;

export interface SqlRequest {
  sql: string;
  format: SqlFormat;
  params: SqlParams;
}

export interface JsonResult {
  columns: Array<{ name: string; type: string }>;
  rows: Array<Record<string, unknown>>;
  rowCount: number;
  statistics: { elapsedSeconds: number; rowsRead: number; bytesRead: number };
}

export type SqlResult = { format: 'json'; body: JsonResult } | { format: 'csv'; body: string };

/** The format of the EXPLAIN dumps: one node per line, as printed. */
const DUMP_FORMAT = 'TabSeparatedRaw';

/**
 * Analysts' SQL, read-only: the statement is checked on ClickHouse's own parse of it (see
 * sql-inspection.ts) and runs on a read-only session with limits (see ReadSessions).
 */
@Injectable()
export class ReadOnlySqlService {
  constructor(private readonly sessions: ReadSessions) {}

  async run(request: SqlRequest): Promise<SqlResult> {
    const canonical = await this.sessions.inspect(async (session) => {
      const statement = await this.canonicalStatement(session, request.sql);
      refuse(refuseNonQuery(statement));
      // EXPLAIN AST hands the first FORMAT to the explained query and takes the one the client
      // appends; EXPLAIN QUERY TREE takes the first itself. Both need the query parameters.
      refuse(inspectAst(await this.astDump(session, statement, request.params)));
      refuse(inspectQueryTree(await text(session, `EXPLAIN QUERY TREE ${statement}`, request.params), this.sessions.database));
      return statement;
    });
    return this.sessions.run(async (session) => {
      if (request.format === 'csv') {
        const result = await session.query({ query: canonical, format: 'CSVWithNames', query_params: request.params });
        return { format: 'csv', body: await result.text() };
      }
      const result = await session.query({ query: canonical, format: 'JSON', query_params: request.params });
      // The JSON format: { meta, data, rows, statistics }.
      const json = await result.json<Record<string, unknown>>();
      return {
        format: 'json',
        body: {
          columns: (json.meta ?? []).map(({ name, type }) => ({ name, type })),
          rows: json.data,
          rowCount: json.rows ?? json.data.length,
          statistics: {
            elapsedSeconds: json.statistics?.elapsed ?? 0,
            rowsRead: Number(json.statistics?.rows_read ?? 0),
            bytesRead: Number(json.statistics?.bytes_read ?? 0),
          },
        },
      };
    });
  }

  /**
   * The AST dump of the statement. A statement with a FORMAT clause of its own cannot take the
   * one appended here (two FORMATs are a syntax error), but parses without it: then the clause is
   * what is refused.
   */
  private async astDump(session: ClickHouseClient, statement: string, params: SqlParams): Promise<string> {
    try {
      return await text(session, `EXPLAIN AST ${statement} FORMAT ${DUMP_FORMAT}`, params);
    } catch (error) {
      // 62: SYNTAX_ERROR (the parsed error type names the token instead).
      if ((error as { code?: unknown }).code !== '62') throw error;
      const parses = await text(session, `EXPLAIN AST ${statement}`, params).then(
        () => true,
        () => false,
      );
      if (parses) refuse({ code: 'SQL_OUTPUT_REFUSED', refused: 'FORMAT', message: 'a FORMAT clause is refused: choose the format with the request\'s "format" member' });
      throw error;
    }
  }

  /**
   * ClickHouse's canonical form of the statement: one statement or an error (a second statement
   * would otherwise run as part of the EXPLAIN). The text goes in as a literal, not a query
   * parameter: the embedded engine runs parameterized queries one at a time process-wide.
   */
  private async canonicalStatement(session: ClickHouseClient, sql: string): Promise<string> {
    try {
      const result = await session.query({ query: `SELECT formatQuerySingleLine(${sqlString(sql)}) AS statement`, format: 'JSONEachRow' });
      const [row] = await result.json<{ statement: string }>();
      return row!.statement;
    } catch (error) {
      const message = (error as { message?: unknown }).message;
      if (typeof message === 'string') {
        // Cut the echo of the wrapper: the statement's own position is in the message already.
        const detail = message.replace(/\s*In scope SELECT formatQuerySingleLine\([\s\S]*$/, '').trim();
        if (/Multi-statements are not allowed/.test(detail)) throw new AnalyticsError('SQL_MULTIPLE_STATEMENTS', detail, 400, { refused: 'multiple statements' });
        (error as { message: string }).message = detail;
      }
      throw error;
    }
  }
}

async function text(session: ClickHouseClient, query: string, params?: SqlParams): Promise<string> {
  return (await session.query({ query, format: DUMP_FORMAT, query_params: params })).text();
}

function refuse(refusal: Refusal | null): void {
  if (refusal) throw new AnalyticsError(refusal.code, refusal.message, 403, { refused: refusal.refused });
}
