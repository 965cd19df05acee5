import { Body, Controller, HttpCode, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { AnalyticsError } from '../analytics.error';
import { ReadOnlySqlService, type JsonResult, type SqlRequest } from '../sql/read-only-sql.service';
import { AnalyticsProblemFilter } from './analytics-problem.filter';
import { AnalyticsTokenGuard } from './analytics-token.guard';

const MAX_SQL_LENGTH = 100_000;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `POST /v1/sql`: analysts' read-only SQL over the analytics database, as JSON or CSV. */
@Controller('v1/sql')
@UseGuards(AnalyticsTokenGuard)
@UseFilters(AnalyticsProblemFilter)
export class SqlController {
  constructor(private readonly sql: ReadOnlySqlService) {}

  @Post()
  @HttpCode(200)
  async run(@Body() body: unknown, @Res({ passthrough: true }) res: ServerResponse): Promise<JsonResult | string> {
    const result = await this.sql.run(parseSqlRequest(body));
    if (result.format === 'csv') res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    return result.body;
  }
}

export function parseSqlRequest(body: unknown): SqlRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object { "sql": "...", "format"?, "params"? }');
  const { sql, format = 'json', params = {} } = body as Record<string, unknown>;
  if (typeof sql !== 'string' || sql.trim() === '') throw invalid('"sql" must be a non-empty string');
  if (sql.length > MAX_SQL_LENGTH) throw invalid(`"sql" is longer than ${MAX_SQL_LENGTH} characters`);
  if (format !== 'json' && format !== 'csv') throw invalid('"format" must be "json" or "csv"');
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw invalid('"params" must be an object of query parameters');
  for (const [name, value] of Object.entries(params)) {
    if (!PARAM_NAME.test(name)) throw invalid(`query parameter "${name}" is not a valid name`);
    if (!isParamValue(value)) throw invalid(`query parameter "${name}" must be a string, number, boolean, null or an array of them`);
  }
  return { sql, format, params: params as Record<string, unknown> };
}

function isParamValue(value: unknown, depth = 0): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  return Array.isArray(value) && depth < 3 && value.every((v) => isParamValue(v, depth + 1));
}

function invalid(message: string): AnalyticsError {
  return new AnalyticsError('INVALID_REQUEST', message, 400);
}
