import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { runtimeTablesDdl } from '@cdp/kafka';

/** The identity schema with the Kafka runtime's tables (consumer offsets, processed events, outbox). */
export class CreateIdentitySchema1767225600000 implements MigrationInterface {
  name = 'CreateIdentitySchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of runtimeTablesDdl(schemaOf(queryRunner))) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE IF EXISTS "${s}".outbox, "${s}".processed_events, "${s}".consumer_offsets`);
  }
}

/** The schema the service was configured with (DATABASE_SCHEMA); the same DDL whatever it is. */
function schemaOf(queryRunner: QueryRunner): string {
  return (queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'identity';
}
