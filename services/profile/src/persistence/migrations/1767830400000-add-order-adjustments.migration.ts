import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteIdent } from '@cdp/kafka';
import { schemaOf } from './schema-of';

/**
 * Refunds and cancellations: `order_adjustments` keeps each one as a fact of the profile its event was
 * resolved to, by order key; an order's status and refunded amount, and spend net of them, come from
 * joining them with the merge group's orders (so one arriving before its order, or under another
 * profile of the group, still applies). The outbox may hold tombstones (rows without a value).
 */
export class AddOrderAdjustments1767830400000 implements MigrationInterface {
  name = 'AddOrderAdjustments1767830400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent(schemaOf(queryRunner));
    await queryRunner.query(`ALTER TABLE ${s}.outbox ALTER COLUMN value DROP NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE ${s}.order_adjustments (
        profile_id text NOT NULL,
        order_key text NOT NULL,
        event_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('refunded', 'cancelled')),
        amount numeric,
        occurred_at timestamptz NOT NULL,
        source_id text NOT NULL,
        PRIMARY KEY (profile_id, order_key, event_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent(schemaOf(queryRunner));
    await queryRunner.query(`DROP TABLE IF EXISTS ${s}.order_adjustments`);
  }
}
