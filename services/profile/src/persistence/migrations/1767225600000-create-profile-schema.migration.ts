import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runtimeTablesDdl } from '@cdp/kafka';

/** The profile schema with the Kafka runtime's tables (consumer offsets, processed events, outbox). */
export class CreateProfileSchema1767225600000 implements MigrationInterface {
  name = 'CreateProfileSchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of runtimeTablesDdl('profile')) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS "profile".outbox, "profile".processed_events, "profile".consumer_offsets');
  }
}
