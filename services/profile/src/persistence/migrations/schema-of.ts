import type { QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/** The schema the migrations run in: DATABASE_SCHEMA, which the service kit gives the DataSource. */
export function schemaOf(queryRunner: QueryRunner): string {
  return (queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'profile';
}
