import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runtimeTablesDdl } from '@cdp/kafka';

/** The loyalty schema with the Kafka runtime's tables (consumer offsets, processed events, outbox). */
export class CreateLoyaltySchema1767225600000 implements MigrationInterface {
  name = 'CreateLoyaltySchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of runtimeTablesDdl('loyalty')) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS "loyalty".outbox, "loyalty".processed_events, "loyalty".consumer_offsets');
  }
}
