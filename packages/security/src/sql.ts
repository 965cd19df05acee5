/**
 * What the stores need from a database: run SQL, get rows back. The same shape as @cdp/kafka's
 * `SqlExecutor`, so a batch transaction (`batch.tx`), a TypeORM EntityManager or DataSource, or a
 * pg client wrapper all fit. Only results of SELECT and `... RETURNING` inside a CTE that SELECTs
 * are read (TypeORM answers a bare UPDATE/DELETE with `[rows, count]`).
 */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

/** Double-quoted SQL identifier; schema names come from configuration, never from requests. */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(name)) throw new Error(`Invalid SQL identifier "${name}"`);
  return `"${name}"`;
}
