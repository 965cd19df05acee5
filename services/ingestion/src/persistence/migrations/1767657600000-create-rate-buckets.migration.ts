import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { quoteIdent } from '@cdp/kafka';

/**
 * One token bucket per source, shared by every instance (the per-source rate limit). UNLOGGED: a
 * bucket holds one second of events, so what a Postgres crash (or a failover, since unlogged tables
 * are not replicated) loses is that second: buckets start full again. In return every update skips
 * the WAL.
 */
export class CreateRateBuckets1767657600000 implements MigrationInterface {
  name = 'CreateRateBuckets1767657600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE UNLOGGED TABLE ${quoteIdent(schemaOf(queryRunner))}.rate_buckets (
        source_id uuid PRIMARY KEY,
        tokens double precision NOT NULL,
        updated_at timestamptz NOT NULL,
        last_granted bigint NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${quoteIdent(schemaOf(queryRunner))}.rate_buckets`);
  }
}

// The service's schema is configurable (DATABASE_SCHEMA); the migration follows the connection's.
function schemaOf(queryRunner: QueryRunner): string {
  return (queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'ingestion';
}
