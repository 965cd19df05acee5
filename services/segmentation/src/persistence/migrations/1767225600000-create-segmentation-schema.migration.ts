import type { MigrationInterface, QueryRunner } from 'typeorm';
import { runtimeTablesDdl } from '@cdp/kafka';

/** The segmentation schema with the Kafka runtime's tables (consumer offsets, processed events, outbox). */
export class CreateSegmentationSchema1767225600000 implements MigrationInterface {
  name = 'CreateSegmentationSchema1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of runtimeTablesDdl('segmentation')) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS "segmentation".outbox, "segmentation".processed_events, "segmentation".consumer_offsets');
  }
}
