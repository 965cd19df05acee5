import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { quoteIdent } from '@cdp/kafka';
import { securityTablesDdl } from '@cdp/security';
import { DEFAULT_RULES } from '../../domain/identity-rules';

/**
 * The identity graph:
 * - profiles: live, merged (into `merged_into`) or erased;
 * - identifiers: one row per (type, blind index); `profile_id` is always a live profile, so an
 *   identifier belongs to exactly one live profile (the unique key makes two impossible). Values are
 *   encrypted under the data key of `key_subject` (the profile that first held it);
 * - graph_log: append-only record of every profile created, link, merge, split, drop and cap, with
 *   its provenance (event id, rule, event time); `seq` orders it (a link after a merge has a larger
 *   seq than the merge, because linking waits for the merge's row locks);
 * - merges + merge_members: what each merge absorbed, so a split can give it back;
 * - splits: undone merges, who asked and what moved;
 * - rules + rule_changes: the identity rules document, versioned, every change kept.
 * Plus the security tables (data keys, audit log).
 */
export class CreateIdentityGraph1767484800000 implements MigrationInterface {
  name = 'CreateIdentityGraph1767484800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    const s = quoteIdent(schema);
    for (const statement of securityTablesDdl(schema)) await queryRunner.query(statement);
    await queryRunner.query(`CREATE SEQUENCE ${s}.graph_seq`);
    await queryRunner.query(`
      CREATE TABLE ${s}.profiles (
        id uuid PRIMARY KEY,
        status text NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'merged', 'erased')),
        merged_into uuid REFERENCES ${s}.profiles (id),
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        created_by_event text NOT NULL,
        merge_count integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'merged') = (merged_into IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX profiles_merged_into_idx ON ${s}.profiles (merged_into) WHERE merged_into IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE ${s}.identifiers (
        id bigserial PRIMARY KEY,
        type text NOT NULL,
        value_hash bytea NOT NULL,
        value_enc bytea NOT NULL,
        key_subject uuid NOT NULL,
        profile_id uuid NOT NULL REFERENCES ${s}.profiles (id),
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        source_id text NOT NULL,
        first_event_id text NOT NULL,
        linked_seq bigint NOT NULL,
        linked_via text[] NOT NULL DEFAULT '{}',
        UNIQUE (type, value_hash)
      )`);
    await queryRunner.query(`CREATE INDEX identifiers_profile_idx ON ${s}.identifiers (profile_id)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.merges (
        id uuid PRIMARY KEY,
        seq bigint NOT NULL,
        survivor_id uuid NOT NULL REFERENCES ${s}.profiles (id),
        merged_ids uuid[] NOT NULL,
        rule text NOT NULL,
        event_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        undone_by uuid
      )`);
    await queryRunner.query(`CREATE INDEX merges_survivor_idx ON ${s}.merges (survivor_id)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.merge_members (
        merge_id uuid NOT NULL REFERENCES ${s}.merges (id),
        member_profile_id uuid NOT NULL,
        identifier_id bigint NOT NULL,
        PRIMARY KEY (merge_id, identifier_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.splits (
        id uuid PRIMARY KEY,
        merge_id uuid NOT NULL REFERENCES ${s}.merges (id),
        profile_id uuid NOT NULL,
        restored_ids uuid[] NOT NULL,
        moved_identifier_ids bigint[] NOT NULL,
        requested_by text,
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.graph_log (
        seq bigint PRIMARY KEY,
        kind text NOT NULL,
        profile_id uuid NOT NULL,
        related_profile_ids uuid[] NOT NULL DEFAULT '{}',
        identifier_type text,
        identifier_hash bytea,
        event_id text,
        rule text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        occurred_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX graph_log_profile_idx ON ${s}.graph_log (profile_id, seq)`);
    await queryRunner.query(`CREATE INDEX graph_log_related_idx ON ${s}.graph_log USING gin (related_profile_ids)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.rules (
        id integer PRIMARY KEY CHECK (id = 1),
        version integer NOT NULL,
        document jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.rule_changes (
        version integer PRIMARY KEY,
        document jsonb NOT NULL,
        changed_by text,
        reason text,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    const defaults = JSON.stringify(DEFAULT_RULES);
    await queryRunner.query(`INSERT INTO ${s}.rules (id, version, document, updated_by) VALUES (1, 1, $1::jsonb, 'migration')`, [defaults]);
    await queryRunner.query(`INSERT INTO ${s}.rule_changes (version, document, changed_by, reason) VALUES (1, $1::jsonb, 'migration', 'defaults')`, [defaults]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent(schemaOf(queryRunner));
    await queryRunner.query(
      `DROP TABLE IF EXISTS ${s}.rule_changes, ${s}.rules, ${s}.graph_log, ${s}.splits, ${s}.merge_members, ${s}.merges,
       ${s}.identifiers, ${s}.profiles, ${s}.audit_log, ${s}.data_keys`,
    );
    await queryRunner.query(`DROP SEQUENCE IF EXISTS ${s}.graph_seq`);
  }
}

function schemaOf(queryRunner: QueryRunner): string {
  return (queryRunner.connection.options as PostgresConnectionOptions).schema ?? 'identity';
}
