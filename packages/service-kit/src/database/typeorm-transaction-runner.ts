import type { DataSource } from 'typeorm';
import type { SqlExecutor, TransactionRunner } from '@cdp/kafka';

/**
 * Runs the Kafka runtime's batch work (handler writes, processed ids, offsets, outbox rows) in one
 * transaction of the service's own DataSource, so state and offsets commit together.
 */
export function typeormTransactionRunner(dataSource: DataSource): TransactionRunner {
  return <T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
    dataSource.transaction((manager) =>
      work({ query: <R>(sql: string, params?: unknown[]): Promise<R[]> => manager.query(sql, params) }),
    );
}
