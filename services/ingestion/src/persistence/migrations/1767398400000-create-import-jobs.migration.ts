import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/**
 * File imports (POST /v1/imports): one row per job with its counters, and the rejected rows of each
 * job. Rejections are capped per job by the writer (all are counted on the job), so a file of garbage
 * cannot fill the database.
 */
export class CreateImportJobs1767398400000 implements MigrationInterface {
  name = 'CreateImportJobs1767398400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE "${schema}".import_jobs (
        id uuid PRIMARY KEY,
        source_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        format text NOT NULL,
        file_id text,
        file_name text,
        content_sha256 text,
        rows_read bigint NOT NULL DEFAULT 0,
        rows_accepted bigint NOT NULL DEFAULT 0,
        rows_rejected bigint NOT NULL DEFAULT 0,
        rows_duplicate bigint NOT NULL DEFAULT 0,
        bytes_read bigint NOT NULL DEFAULT 0,
        bytes_total bigint,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        error text
      )`);
    await queryRunner.query(`CREATE INDEX import_jobs_source_idx ON "${schema}".import_jobs (source_id, started_at DESC)`);
    await queryRunner.query(`
      CREATE TABLE "${schema}".import_rejections (
        job_id uuid NOT NULL REFERENCES "${schema}".import_jobs (id) ON DELETE CASCADE,
        line bigint NOT NULL,
        code text NOT NULL,
        field text,
        message text NOT NULL,
        raw text NOT NULL,
        PRIMARY KEY (job_id, line)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE IF EXISTS "${schema}".import_rejections, "${schema}".import_jobs`);
  }
}

// The service's schema is configurable (DATABASE_SCHEMA); the migration follows the connection's.
function schemaOf(queryRunner: QueryRunner): string {
  return (queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'ingestion';
}
