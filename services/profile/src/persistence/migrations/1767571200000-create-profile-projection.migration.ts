import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteIdent } from '@cdp/kafka';
import { securityTablesDdl } from '@cdp/security';
import { schemaOf } from './schema-of';

/**
 * The projection. Facts (traits, identifiers, addresses, consents, orders, interactions, counters)
 * are kept per origin: the profile identity resolved their event to. `profiles` holds the merge
 * forest (parent_id) with each profile's live root denormalised (live_id); `views` holds the unified,
 * non-personal view of each live profile. Personal values are only ever stored encrypted (bytea,
 * AES-256-GCM under the origin's data key in data_keys); lookups go through blind indexes.
 */
export class CreateProfileProjection1767571200000 implements MigrationInterface {
  name = 'CreateProfileProjection1767571200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    const s = quoteIdent(schema);
    for (const statement of securityTablesDdl(schema)) await queryRunner.query(statement);
    const statements = [
      `CREATE TABLE ${s}.profiles (
        profile_id text PRIMARY KEY,
        parent_id text,
        live_id text NOT NULL,
        merge_id text,
        first_seen_at timestamptz,
        last_seen_at timestamptz,
        version bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX profiles_live_idx ON ${s}.profiles (live_id)`,
      `CREATE TABLE ${s}.merges (
        merge_id text PRIMARY KEY,
        survivor_id text,
        merged_ids text[] NOT NULL DEFAULT '{}',
        applied boolean NOT NULL DEFAULT false,
        undone boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE ${s}.traits (
        profile_id text NOT NULL,
        name text NOT NULL,
        mode text NOT NULL CHECK (mode IN ('set', 'once')),
        value jsonb,
        value_enc bytea,
        event_time bigint NOT NULL,
        event_id text NOT NULL,
        PRIMARY KEY (profile_id, name, mode),
        CHECK (value IS NULL OR value_enc IS NULL)
      )`,
      `CREATE TABLE ${s}.identifiers (
        profile_id text NOT NULL,
        type text NOT NULL,
        hash text NOT NULL,
        value_enc bytea NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (profile_id, type, hash)
      )`,
      `CREATE INDEX identifiers_lookup_idx ON ${s}.identifiers (type, hash)`,
      `CREATE TABLE ${s}.addresses (
        profile_id text NOT NULL,
        hash text NOT NULL,
        value_enc bytea NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (profile_id, hash)
      )`,
      `CREATE TABLE ${s}.consents (
        profile_id text NOT NULL,
        purpose text NOT NULL,
        channel text NOT NULL,
        granted boolean NOT NULL,
        event_time bigint NOT NULL,
        event_id text NOT NULL,
        source text NOT NULL,
        PRIMARY KEY (profile_id, purpose, channel)
      )`,
      `CREATE TABLE ${s}.orders (
        profile_id text NOT NULL,
        order_key text NOT NULL,
        order_id text,
        event_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        revenue numeric NOT NULL,
        currency text NOT NULL,
        discount numeric,
        tax numeric,
        shipping numeric,
        coupon text,
        store_id text,
        channel text,
        source_id text NOT NULL,
        items jsonb NOT NULL,
        PRIMARY KEY (profile_id, order_key)
      )`,
      `CREATE INDEX orders_timeline_idx ON ${s}.orders (profile_id, occurred_at DESC, order_key DESC)`,
      `CREATE TABLE ${s}.interactions (
        profile_id text NOT NULL,
        interaction_id text NOT NULL,
        occurred_at timestamptz NOT NULL,
        channel text,
        type text NOT NULL,
        summary_enc bytea,
        agent text,
        satisfaction double precision,
        source_id text NOT NULL,
        PRIMARY KEY (profile_id, interaction_id)
      )`,
      `CREATE INDEX interactions_timeline_idx ON ${s}.interactions (profile_id, occurred_at DESC, interaction_id DESC)`,
      `CREATE TABLE ${s}.spend (
        profile_id text NOT NULL,
        currency text NOT NULL,
        orders integer NOT NULL,
        revenue numeric NOT NULL,
        last_order_at timestamptz,
        PRIMARY KEY (profile_id, currency)
      )`,
      `CREATE TABLE ${s}.affinities (
        profile_id text NOT NULL,
        kind text NOT NULL,
        value text NOT NULL,
        events integer NOT NULL,
        orders integer NOT NULL,
        quantity double precision NOT NULL,
        last_at timestamptz NOT NULL,
        PRIMARY KEY (profile_id, kind, value)
      )`,
      `CREATE TABLE ${s}.views (
        profile_id text PRIMARY KEY,
        version bigint NOT NULL,
        traits jsonb NOT NULL,
        pii jsonb NOT NULL,
        computed jsonb NOT NULL,
        consents jsonb NOT NULL,
        merged_profile_ids text[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX views_traits_idx ON ${s}.views USING gin (traits jsonb_path_ops)`,
      `CREATE INDEX views_computed_idx ON ${s}.views USING gin (computed jsonb_path_ops)`,
      `CREATE TABLE ${s}.erased_profiles (
        profile_id text PRIMARY KEY,
        request_id text NOT NULL,
        erased_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE ${s}.erasure_requests (
        request_id text PRIMARY KEY,
        profile_id text NOT NULL,
        profile_ids text[] NOT NULL,
        requested_by text NOT NULL,
        reason text,
        expected_services text[] NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE ${s}.erasure_confirmations (
        request_id text NOT NULL,
        service text NOT NULL,
        profile_id text NOT NULL,
        erased_at timestamptz NOT NULL,
        confirmed_at timestamptz NOT NULL DEFAULT now(),
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (request_id, service, profile_id)
      )`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quoteIdent(schemaOf(queryRunner));
    await queryRunner.query(
      `DROP TABLE IF EXISTS ${s}.erasure_confirmations, ${s}.erasure_requests, ${s}.erased_profiles, ${s}.views, ${s}.affinities,
       ${s}.spend, ${s}.interactions, ${s}.orders, ${s}.consents, ${s}.addresses, ${s}.identifiers, ${s}.traits, ${s}.merges,
       ${s}.profiles, ${s}.audit_log, ${s}.data_keys`,
    );
  }
}
