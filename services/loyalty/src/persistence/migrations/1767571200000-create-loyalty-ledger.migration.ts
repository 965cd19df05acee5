import type { MigrationInterface, QueryRunner } from 'typeorm';
import { securityTablesDdl } from '@cdp/security';

/**
 * The loyalty ledger:
 * - programmes + programme_versions: each programme's configuration document (validated by the
 *   domain's validateProgramme), versioned, every version kept with who changed it and why;
 * - account_events: the append-only event stream of each account (programme, profile), `seq` its
 *   position; the primary key (stream, seq) makes two writers of one position impossible;
 * - accounts: one row per account, the snapshot of its folded state (`state`), the balances and
 *   tier for reads, and `next_due_at` (epoch ms) for the due-work scheduler. Writers lock it
 *   (SELECT ... FOR UPDATE) before deciding, so decisions on one account never interleave. A
 *   snapshot (a few KB) stays in the row, uncompressed (toast_tuple_target): it is rewritten on
 *   every change, and compressing it each time would cost more than the space it saves;
 * - the history of an account is read through the primary key (an account's stream is short
 *   enough to sort), so appends maintain one index;
 * - referral_codes: the unique index of issued codes;
 * - coupon_codes: the code pools of coupon rewards, claimed with FOR UPDATE SKIP LOCKED.
 * Plus the security tables (data keys, audit log).
 */
export class CreateLoyaltyLedger1767571200000 implements MigrationInterface {
  name = 'CreateLoyaltyLedger1767571200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of securityTablesDdl('loyalty')) await queryRunner.query(statement);
    await queryRunner.query(`
      CREATE TABLE loyalty.programmes (
        id text PRIMARY KEY,
        version int NOT NULL,
        active boolean NOT NULL DEFAULT true,
        document jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text
      )`);
    await queryRunner.query(`
      CREATE TABLE loyalty.programme_versions (
        programme_id text NOT NULL REFERENCES loyalty.programmes (id),
        version int NOT NULL,
        active boolean NOT NULL,
        document jsonb NOT NULL,
        changed_by text,
        reason text,
        changed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (programme_id, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE loyalty.accounts (
        programme_id text NOT NULL,
        profile_id text NOT NULL,
        version bigint NOT NULL DEFAULT 0,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged')),
        active_points bigint NOT NULL DEFAULT 0,
        pending_points bigint NOT NULL DEFAULT 0,
        tier text,
        next_due_at bigint,
        state json,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (programme_id, profile_id)
      ) WITH (toast_tuple_target = 8160)`);
    await queryRunner.query(`CREATE INDEX accounts_due ON loyalty.accounts (next_due_at) WHERE next_due_at IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE loyalty.account_events (
        programme_id text NOT NULL,
        profile_id text NOT NULL,
        seq bigint NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        occurred_at bigint NOT NULL,
        ledger boolean NOT NULL,
        event json NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (programme_id, profile_id, seq)
      )`);
    await queryRunner.query(`
      CREATE TABLE loyalty.referral_codes (
        programme_id text NOT NULL,
        code text NOT NULL,
        profile_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (programme_id, code)
      )`);
    await queryRunner.query(`
      CREATE TABLE loyalty.coupon_codes (
        programme_id text NOT NULL,
        pool_id text NOT NULL,
        code text NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now(),
        added_by text,
        claimed_at timestamptz,
        profile_id text,
        redemption_id text,
        PRIMARY KEY (programme_id, pool_id, code)
      )`);
    await queryRunner.query(`CREATE INDEX coupon_codes_free ON loyalty.coupon_codes (programme_id, pool_id, code) WHERE claimed_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'DROP TABLE IF EXISTS loyalty.coupon_codes, loyalty.referral_codes, loyalty.account_events, loyalty.accounts, loyalty.programme_versions, loyalty.programmes, loyalty.audit_log, loyalty.data_keys',
    );
  }
}
