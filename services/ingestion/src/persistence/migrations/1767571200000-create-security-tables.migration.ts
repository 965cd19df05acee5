import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { quoteIdent } from '@cdp/kafka';
import { securityTablesDdl } from '@cdp/security';

/** The security module's tables: the audit log of the sources API (and data keys, unused by ingestion so far). */
export class CreateSecurityTables1767571200000 implements MigrationInterface {
  name = 'CreateSecurityTables1767571200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of securityTablesDdl(schemaOf(queryRunner))) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent(schemaOf(queryRunner));
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}.audit_log, ${s}.data_keys`);
  }
}

// The service's schema is configurable (DATABASE_SCHEMA); the migration follows the connection's.
function schemaOf(queryRunner: QueryRunner): string {
  return (queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'ingestion';
}
