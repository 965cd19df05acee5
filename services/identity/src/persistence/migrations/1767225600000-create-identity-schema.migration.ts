import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runtimeTablesDdl } from '@cdp/kafka';

/** The identity schema with the Kafka runtime's tables (consumer offsets, processed events, outbox). */
export class CreateIdentitySchema1767225600000 implements MigrationInterface {
  name = 'CreateIdentitySchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of runtimeTablesDdl('identity')) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS "identity".outbox, "identity".processed_events, "identity".consumer_offsets');
  }
}
