import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runtimeTablesDdl } from '@cdp/kafka';

/** The analytics schema with the Kafka runtime's tables (consumer offsets, processed events, outbox). */
export class CreateAnalyticsSchema1767225600000 implements MigrationInterface {
  name = 'CreateAnalyticsSchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of runtimeTablesDdl('analytics')) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS "analytics".outbox, "analytics".processed_events, "analytics".consumer_offsets');
  }
}
