import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isTransactionConflict, type SqlExecutor, sqlState } from '@cdp/kafka';

const ATTEMPTS = 5;

/**
 * Transactions of the HTTP handlers. A deadlock or serialization failure, or a unique violation on
 * an account stream position (another writer got there first), rolled everything back: the work
 * runs again from the start, a few times.
 */
@Injectable()
export class Transactions {
  constructor(private readonly dataSource: DataSource) {}

  async run<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.dataSource.transaction((manager) => work({ query: async <R>(sql: string, params?: unknown[]) => (await manager.query(sql, params)) as R[] }));
      } catch (err) {
        const retriable = isTransactionConflict(err) || sqlState(err) === '23505';
        if (!retriable || attempt >= ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, attempt * 5 + Math.random() * 10));
      }
    }
  }

  /** Reads outside a transaction. */
  get db(): SqlExecutor {
    return { query: async <R>(sql: string, params?: unknown[]) => (await this.dataSource.query(sql, params)) as R[] };
  }
}
