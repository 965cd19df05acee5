import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteIdent, runtimeTablesDdl } from '@cdp/kafka';
import { schemaOf } from './schema-of';

/** The service's schema (DATABASE_SCHEMA, default profile) with the Kafka runtime's tables (consumer offsets, processed events, outbox). */
export class CreateProfileSchema1767225600000 implements MigrationInterface {
  name = 'CreateProfileSchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of runtimeTablesDdl(schemaOf(queryRunner))) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent(schemaOf(queryRunner));
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}.outbox, ${s}.processed_events, ${s}.consumer_offsets`);
  }
}
