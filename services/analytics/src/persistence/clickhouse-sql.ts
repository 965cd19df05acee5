/**
 * SQL literals for the service's own queries. They are inlined rather than sent as query
 * parameters because the embedded engine runs parameterized queries one at a time process-wide: a
 * timeline lookup must not wait behind an analyst's long parameterized query.
 */

/** A ClickHouse string literal: quotes, backslashes and control characters escaped. */
export function sqlString(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

/** `('a', 'b')`; an empty list is `('')`, which matches no non-empty id. */
export function sqlStringList(values: readonly string[]): string {
  return `(${(values.length > 0 ? values : ['']).map(sqlString).join(', ')})`;
}

/** A DateTime64(3) literal from epoch ms. */
export function sqlTime(epochMs: number): string {
  if (!Number.isSafeInteger(epochMs)) throw new RangeError(`not a time in epoch ms: ${epochMs}`);
  return `fromUnixTimestamp64Milli(toInt64(${epochMs}), 'UTC')`;
}
