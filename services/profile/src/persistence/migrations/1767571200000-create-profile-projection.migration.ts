import type { MigrationInterface, QueryRunner } from 'typeorm';
import { securityTablesDdl } from '@cdp/security';

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
    for (const statement of securityTablesDdl('profile')) await queryRunner.query(statement);
    const statements = [
      `CREATE TABLE profile.profiles (
        profile_id text PRIMARY KEY,
        parent_id text,
        live_id text NOT NULL,
        merge_id text,
        first_seen_at timestamptz,
        last_seen_at timestamptz,
        version bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX profiles_live_idx ON profile.profiles (live_id)`,
      `CREATE TABLE profile.merges (
        merge_id text PRIMARY KEY,
        survivor_id text,
        merged_ids text[] NOT NULL DEFAULT '{}',
        applied boolean NOT NULL DEFAULT false,
        undone boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE profile.traits (
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
      `CREATE TABLE profile.identifiers (
        profile_id text NOT NULL,
        type text NOT NULL,
        hash text NOT NULL,
        value_enc bytea NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (profile_id, type, hash)
      )`,
      `CREATE INDEX identifiers_lookup_idx ON profile.identifiers (type, hash)`,
      `CREATE TABLE profile.addresses (
        profile_id text NOT NULL,
        hash text NOT NULL,
        value_enc bytea NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (profile_id, hash)
      )`,
      `CREATE TABLE profile.consents (
        profile_id text NOT NULL,
        purpose text NOT NULL,
        channel text NOT NULL,
        granted boolean NOT NULL,
        event_time bigint NOT NULL,
        event_id text NOT NULL,
        source text NOT NULL,
        PRIMARY KEY (profile_id, purpose, channel)
      )`,
      `CREATE TABLE profile.orders (
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
      `CREATE INDEX orders_timeline_idx ON profile.orders (profile_id, occurred_at DESC, order_key DESC)`,
      `CREATE TABLE profile.interactions (
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
      `CREATE INDEX interactions_timeline_idx ON profile.interactions (profile_id, occurred_at DESC, interaction_id DESC)`,
      `CREATE TABLE profile.spend (
        profile_id text NOT NULL,
        currency text NOT NULL,
        orders integer NOT NULL,
        revenue numeric NOT NULL,
        last_order_at timestamptz,
        PRIMARY KEY (profile_id, currency)
      )`,
      `CREATE TABLE profile.affinities (
        profile_id text NOT NULL,
        kind text NOT NULL,
        value text NOT NULL,
        events integer NOT NULL,
        orders integer NOT NULL,
        quantity double precision NOT NULL,
        last_at timestamptz NOT NULL,
        PRIMARY KEY (profile_id, kind, value)
      )`,
      `CREATE TABLE profile.views (
        profile_id text PRIMARY KEY,
        version bigint NOT NULL,
        traits jsonb NOT NULL,
        pii jsonb NOT NULL,
        computed jsonb NOT NULL,
        consents jsonb NOT NULL,
        merged_profile_ids text[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX views_traits_idx ON profile.views USING gin (traits jsonb_path_ops)`,
      `CREATE INDEX views_computed_idx ON profile.views USING gin (computed jsonb_path_ops)`,
      `CREATE TABLE profile.erased_profiles (
        profile_id text PRIMARY KEY,
        request_id text NOT NULL,
        erased_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE profile.erasure_requests (
        request_id text PRIMARY KEY,
        profile_id text NOT NULL,
        profile_ids text[] NOT NULL,
        requested_by text NOT NULL,
        reason text,
        expected_services text[] NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE TABLE profile.erasure_confirmations (
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
    await queryRunner.query(
      `DROP TABLE IF EXISTS profile.erasure_confirmations, profile.erasure_requests, profile.erased_profiles, profile.views, profile.affinities,
       profile.spend, profile.interactions, profile.orders, profile.consents, profile.addresses, profile.identifiers, profile.traits, profile.merges,
       profile.profiles, profile.audit_log, profile.data_keys`,
    );
  }
}
