import type { Logger } from 'pino';
import type { EntitySchema, MigrationInterface, MixedList } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import type { ServiceConfig } from '@cdp/config';
import { TypeOrmPinoLogger } from './typeorm-pino.logger';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type EntityList = MixedList<Function | string | EntitySchema>;
export type MigrationList = Array<new () => MigrationInterface>;

export const MIGRATIONS_TABLE = 'schema_migrations';

export interface DatabaseDefinition {
  entities?: EntityList;
  migrations: MigrationList;
}

/**
 * The service's Postgres connection. The schema is the service's own: entities and the migrations
 * table live in it. The schema only ever changes through migrations (`synchronize` is off, and
 * migrations run from the `migrate` command, not at start-up, so that several instances starting
 * together never race on DDL).
 */
export function dataSourceOptions(config: ServiceConfig, database: DatabaseDefinition, logger: Logger): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url: config.database.url,
    schema: config.database.schema,
    applicationName: config.name,
    poolSize: config.database.poolSize,
    connectTimeoutMS: 5_000,
    entities: database.entities ?? [],
    migrations: database.migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    migrationsRun: false,
    synchronize: false,
    logger: new TypeOrmPinoLogger(logger),
    logging: ['error', 'warn', 'migration'],
    maxQueryExecutionTime: 1_000,
    poolErrorHandler: (error: unknown) => logger.warn({ err: error }, 'idle Postgres connection failed'),
  };
}
