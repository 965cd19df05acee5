import { AnalyticsError } from '../analytics.error';

/** Query string values as express parses them: a string, or an array for a repeated name. */
export type QueryValue = string | string[] | undefined | Record<string, unknown> | Array<Record<string, unknown>>;

function invalid(name: string, message: string): AnalyticsError {
  return new AnalyticsError('INVALID_REQUEST', `${name}: ${message}`, 400);
}

/** A single value; a repeated parameter is refused rather than one of its values picked. */
export function single(name: string, value: QueryValue): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(name, 'give it once');
  return value;
}

/** `?type=a&type=b` or `?type=a,b` (only where values cannot contain commas). */
export function list(name: string, value: QueryValue, options: { commas: boolean }): string[] {
  if (value === undefined) return [];
  const values = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const v of values) {
    if (typeof v !== 'string') throw invalid(name, 'expected text');
    for (const part of options.commas ? v.split(',') : [v]) if (part.trim() !== '') out.push(part.trim());
  }
  if (out.length > 100) throw invalid(name, 'at most 100 values');
  return out;
}

/** An ISO 8601 date or date-time (UTC unless it has an offset) or epoch milliseconds. */
export function time(name: string, value: QueryValue): number | undefined {
  const text = single(name, value);
  if (text === undefined || text === '') return undefined;
  const ms = /^\d{1,15}$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(/T|\s/.test(text) ? text : `${text}T00:00:00Z`) : NaN;
  if (!Number.isSafeInteger(ms)) throw invalid(name, `expected an ISO 8601 date or date-time, or epoch milliseconds; got ${JSON.stringify(text)}`);
  return ms;
}

export function integer(name: string, value: QueryValue, range: { min: number; max: number; fallback: number }): number {
  const text = single(name, value);
  if (text === undefined || text === '') return range.fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < range.min || n > range.max) throw invalid(name, `expected an integer from ${range.min} to ${range.max}`);
  return n;
}
