import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/**
 * Sources (write keys stored as SHA-256 hashes) and the messageId dedupe table. The dedupe table is
 * keyed by message_id alone because consumers downstream dedupe on the same id across sources.
 */
export class CreateSourcesAndReceivedMessages1767312000000 implements MigrationInterface {
  name = 'CreateSourcesAndReceivedMessages1767312000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE "${schema}".sources (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        channel text NOT NULL CHECK (channel IN ('web', 'app', 'miniprogram', 'pos', 'call_center', 'email', 'sms', 'social', 'other')),
        store_id text,
        default_phone_region text CHECK (default_phone_region ~ '^[A-Z]{2}$'),
        timezone text,
        enabled boolean NOT NULL DEFAULT true,
        write_key_hash text NOT NULL UNIQUE CHECK (write_key_hash ~ '^[0-9a-f]{64}$'),
        rate_limit_per_second integer CHECK (rate_limit_per_second > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        key_rotated_at timestamptz,
        disabled_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE "${schema}".received_messages (
        message_id text PRIMARY KEY,
        source_id uuid NOT NULL,
        received_at timestamptz NOT NULL
      )`);
    // Pruning deletes by age.
    await queryRunner.query(`CREATE INDEX received_messages_received_at_idx ON "${schema}".received_messages (received_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE IF EXISTS "${schema}".received_messages, "${schema}".sources`);
  }
}

// The service's schema is configurable (DATABASE_SCHEMA); the migration follows the connection's.
function schemaOf(queryRunner: QueryRunner): string {
  return (queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'ingestion';
}
