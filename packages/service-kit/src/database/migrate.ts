import { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import type { ServiceConfig } from '@cdp/config';
import { dataSourceOptions, type DatabaseDefinition } from './data-source-options';

/** First key of the advisory lock: the same for every service ("cdp" in ASCII). */
const LOCK_CLASS = 0x636470;

export interface MigrationReport {
  /** Names of the Postgres migrations applied by this run. */
  applied: string[];
}

/**
 * Applies pending migrations of one service. Instances of a service started together all run this;
 * a Postgres advisory lock (per schema) lets one apply them while the others wait and then find
 * nothing left to do. `extra` runs under the same lock (analytics migrates ClickHouse there).
 */
export async function migrateDatabase(
  config: ServiceConfig,
  database: DatabaseDefinition,
  logger: Logger,
  extra?: () => Promise<void>,
): Promise<MigrationReport> {
  const dataSource = new DataSource({ ...dataSourceOptions(config, database, logger), poolSize: 2 });
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, config.database.schema]);
    try {
      // TypeORM keeps its migrations table inside the schema, so the schema must exist first.
      await lock.query(`CREATE SCHEMA IF NOT EXISTS "${config.database.schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      await extra?.();
      return { applied: applied.map((m) => m.name) };
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, config.database.schema]);
    }
  } finally {
    await lock.release();
    await dataSource.destroy();
  }
}
