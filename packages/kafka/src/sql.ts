import type { Pool, PoolClient } from 'pg';

/**
 * The one thing the runtime needs from a database: run SQL inside a transaction. A pg client and a
 * TypeORM EntityManager both fit. Runtime SQL only reads results of SELECT / INSERT ... RETURNING
 * (TypeORM returns `[rows, count]` for UPDATE/DELETE), so either executor behaves the same.
 */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

export type TransactionRunner = <T>(work: (tx: SqlExecutor) => Promise<T>) => Promise<T>;

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** BEGIN / COMMIT / ROLLBACK on a connection borrowed from a pg Pool. */
export function pgTransactionRunner(pool: Pool, options: { isolation?: IsolationLevel } = {}): TransactionRunner {
  const begin = options.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}` : 'BEGIN';
  return async <T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> => {
    const client: PoolClient = await pool.connect();
    const tx: SqlExecutor = {
      query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
    };
    let broken: Error | undefined;
    // The pool listens for errors of idle clients only. A borrowed client whose server goes away
    // (restart, failover, pg_terminate_backend) emits 'error', which unheard would crash the
    // process; its next query fails anyway, so keep the error to drop the connection.
    const onError = (err: Error) => {
      broken ??= err;
    };
    client.on('error', onError);
    try {
      await client.query(begin);
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (!broken) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          // A connection that cannot even roll back must not go back to the pool.
          broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        }
      }
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  };
}

/** SQLSTATE of a driver error, looking through TypeORM's QueryFailedError and `cause` chains. */
export function sqlState(err: unknown): string | undefined {
  for (let cur: unknown = err, depth = 0; cur && typeof cur === 'object' && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    const next = (cur as { driverError?: unknown }).driverError ?? (cur as { cause?: unknown }).cause;
    cur = next;
  }
  return undefined;
}

/** Serialization failures and deadlocks: the transaction did nothing and can simply run again. */
export function isTransactionConflict(err: unknown): boolean {
  const state = sqlState(err);
  return state === '40001' || state === '40P01';
}

const CONNECTION_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

/** The database is unreachable or going away: not the message's fault, so retried without limit. */
export function isConnectionFailure(err: unknown): boolean {
  for (let cur: unknown = err, depth = 0; cur && typeof cur === 'object' && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (CONNECTION_ERRNO.has(code)) return true;
      if (/^08/.test(code) || /^57P0[123]$/.test(code) || code === '53300') return true;
    }
    const message = (cur as { message?: unknown }).message;
    if (typeof message === 'string' && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)) {
      return true;
    }
    cur = (cur as { driverError?: unknown }).driverError ?? (cur as { cause?: unknown }).cause;
  }
  return false;
}

/** Double-quoted SQL identifier; schema names come from configuration, never from messages. */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(name)) {
    throw new Error(`Invalid SQL identifier "${name}"`);
  }
  return `"${name}"`;
}
