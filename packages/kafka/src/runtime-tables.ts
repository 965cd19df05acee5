import { quoteIdent } from './sql';

/**
 * Idempotent DDL for the runtime tables a consuming/producing service keeps in its own schema.
 * Service migrations run it; every statement can run again safely.
 *
 * - consumer_offsets: the source of truth for where each group resumes (Kafka's commit is a hint).
 * - processed_events: event ids already applied by a group (dedupe window = its retention).
 * - outbox: events written in the same transaction as the state that caused them, published by
 *   the relay; `published_at IS NULL` rows are pending; a null value is a tombstone.
 */
export function runtimeTablesDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.consumer_offsets (
      group_id text NOT NULL,
      topic text NOT NULL,
      partition integer NOT NULL,
      next_offset bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (group_id, topic, partition)
    )`,
    `CREATE TABLE IF NOT EXISTS ${s}.processed_events (
      group_id text NOT NULL,
      topic text NOT NULL,
      event_id text NOT NULL,
      partition integer NOT NULL,
      "offset" bigint NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (group_id, topic, event_id)
    )`,
    `CREATE INDEX IF NOT EXISTS processed_events_processed_at_idx ON ${s}.processed_events (processed_at)`,
    `CREATE TABLE IF NOT EXISTS ${s}.outbox (
      id bigserial PRIMARY KEY,
      event_id text NOT NULL,
      topic text NOT NULL,
      key text,
      value bytea,
      headers jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    )`,
    // A null value is a tombstone; outboxes created before tombstones existed lose the constraint.
    `ALTER TABLE ${s}.outbox ALTER COLUMN value DROP NOT NULL`,
    `CREATE INDEX IF NOT EXISTS outbox_unpublished_idx ON ${s}.outbox (id) WHERE published_at IS NULL`,
    `CREATE INDEX IF NOT EXISTS outbox_published_at_idx ON ${s}.outbox (published_at) WHERE published_at IS NOT NULL`,
  ];
}

/** Runs the DDL through any executor (tests, benches, services without an ORM). */
export async function ensureRuntimeTables(executor: { query(sql: string): Promise<unknown> }, schema: string): Promise<void> {
  for (const statement of runtimeTablesDdl(schema)) await executor.query(statement);
}
