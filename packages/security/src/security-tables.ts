import { quoteIdent } from './sql';

/**
 * Idempotent DDL for the tables this package keeps in a service's own schema; the service's
 * migration runs it (like runtimeTablesDdl of @cdp/kafka). Every statement can run again safely.
 *
 * - data_keys: one wrapped data key per subject (crypto-shredding deletes the row).
 * - audit_log: who did what to which resource, from where, with what outcome. `id` orders entries
 *   (newest first = highest id) and is the pagination cursor.
 */
export function securityTablesDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    `CREATE TABLE IF NOT EXISTS ${s}.data_keys (
      subject_id text PRIMARY KEY,
      key_id text NOT NULL,
      wrapped bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      rotated_at timestamptz
    )`,
    `CREATE TABLE IF NOT EXISTS ${s}.audit_log (
      id bigserial PRIMARY KEY,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      actor_token_id text,
      actor_name text,
      actor_role text,
      action text NOT NULL,
      resource_type text,
      resource_id text,
      fields text[] NOT NULL DEFAULT '{}',
      outcome text NOT NULL,
      status integer,
      error_code text,
      client_ip text,
      user_agent text,
      request_id text,
      details jsonb NOT NULL DEFAULT '{}'::jsonb
    )`,
    `CREATE INDEX IF NOT EXISTS audit_log_actor_idx ON ${s}.audit_log (actor_token_id, id DESC)`,
    `CREATE INDEX IF NOT EXISTS audit_log_resource_idx ON ${s}.audit_log (resource_type, resource_id, id DESC)`,
  ];
}

/** Runs the DDL through any executor (tests, services without an ORM). */
export async function ensureSecurityTables(executor: { query(sql: string): Promise<unknown> }, schema: string): Promise<void> {
  for (const statement of securityTablesDdl(schema)) await executor.query(statement);
}
