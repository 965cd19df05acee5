import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runtimeTablesDdl } from '@cdp/kafka';

/** The ingestion schema with the Kafka runtime's tables (consumer offsets, processed events, outbox). */
export class CreateIngestionSchema1767225600000 implements MigrationInterface {
  name = 'CreateIngestionSchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of runtimeTablesDdl('ingestion')) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS "ingestion".outbox, "ingestion".processed_events, "ingestion".consumer_offsets');
  }
}
