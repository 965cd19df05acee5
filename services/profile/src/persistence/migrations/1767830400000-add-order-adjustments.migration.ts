import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteIdent } from '@cdp/kafka';
import { schemaOf } from './schema-of';

/**
 * Refunds and cancellations: `order_adjustments` keeps each one as a fact of the profile its event was
 * resolved to, by order key; an order's status and refunded amount, and spend net of them, come from
 * joining them with the merge group's orders (so one arriving before its order, or under another
 * profile of the group, still applies). The outbox may hold tombstones (rows without a value).
 * The orders' timeline index goes: every order paid for it at insert, while a merge group's orders
 * are read through the primary key's profile_id prefix and sorted (the index could not give the
 * newest-first order across several profiles anyway). So does the GIN index of the views' computed
 * traits: they change with nearly every event (last seen, counts, amounts), so every refresh paid for
 * re-indexing every path of them, and kept the views' updates from being HOT; searches on computed
 * traits filter the views instead (see the README).
 */
export class AddOrderAdjustments1767830400000 implements MigrationInterface {
  name = 'AddOrderAdjustments1767830400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent(schemaOf(queryRunner));
    await queryRunner.query(`ALTER TABLE ${s}.outbox ALTER COLUMN value DROP NOT NULL`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}.orders_timeline_idx`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${s}.views_computed_idx`);
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
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS orders_timeline_idx ON ${s}.orders (profile_id, occurred_at DESC, order_key DESC)`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS views_computed_idx ON ${s}.views USING gin (computed jsonb_path_ops)`);
  }
}
