import type { Principal } from '../domain/access-token';
import { SecurityError } from '../security.error';
import { quoteIdent, type SqlExecutor } from '../sql';

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** Where a call came from. */
export interface AuditClient {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export interface AuditEntryInput {
  /** Who: null only when no token could be identified. */
  actor: Pick<Principal, 'tokenId' | 'name' | 'role'> | null;
  /** What, as `<resource>.<verb>`, e.g. `tokens.create`, `profiles.read_pii`. */
  action: string;
  resourceType?: string | null;
  resourceId?: string | null;
  /** For reads of PII: which fields were returned in plaintext. */
  fields?: readonly string[];
  outcome: AuditOutcome;
  /** HTTP status of the answer. */
  status?: number | null;
  /** Error code of a failed or denied call. */
  errorCode?: string | null;
  client: AuditClient;
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  id: string;
  occurredAt: string;
  actor: { tokenId: string | null; name: string | null; role: string | null };
  action: string;
  resource: { type: string | null; id: string | null };
  fields: string[];
  outcome: AuditOutcome;
  status: number | null;
  errorCode: string | null;
  client: AuditClient;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  /** Token id of the actor. */
  actor?: string;
  resourceType?: string;
  resourceId?: string;
  action?: string;
  /** 1-200, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface AuditPage {
  items: AuditEntry[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

interface AuditRow {
  id: string;
  occurred_at: Date;
  actor_token_id: string | null;
  actor_name: string | null;
  actor_role: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  fields: string[];
  outcome: AuditOutcome;
  status: number | null;
  error_code: string | null;
  client_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

const MAX_TEXT = 1_000;

/**
 * The service's audit trail in `<schema>.audit_log`. `record` resolves once the row is written;
 * pass the caller's transaction to commit the entry together with the change it describes,
 * otherwise it is written on its own (autocommit) before the answer goes out.
 */
export class AuditLog {
  private readonly table: string;

  constructor(
    private readonly database: SqlExecutor,
    schema: string,
  ) {
    this.table = `${quoteIdent(schema)}.audit_log`;
  }

  async record(entry: AuditEntryInput, tx: SqlExecutor = this.database): Promise<void> {
    await tx.query(
      `INSERT INTO ${this.table} (actor_token_id, actor_name, actor_role, action, resource_type, resource_id, fields, outcome, status, error_code, client_ip, user_agent, request_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10, $11, $12, $13, $14::jsonb)`,
      [
        entry.actor?.tokenId ?? null,
        entry.actor?.name ?? null,
        entry.actor?.role ?? null,
        entry.action,
        entry.resourceType ?? null,
        entry.resourceId ?? null,
        [...(entry.fields ?? [])],
        entry.outcome,
        entry.status ?? null,
        entry.errorCode ?? null,
        clip(entry.client.ip),
        clip(entry.client.userAgent),
        clip(entry.client.requestId),
        JSON.stringify(entry.details ?? {}),
      ],
    );
  }

  /** Entries newest first, optionally only those of one actor, resource or action. */
  async list(query: AuditQuery = {}): Promise<AuditPage> {
    const limit = query.limit ?? 50;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 200) throw invalidQuery('limit', 'expected an integer from 1 to 200');
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    };
    add('actor_token_id', query.actor);
    add('resource_type', query.resourceType);
    add('resource_id', query.resourceId);
    add('action', query.action);
    if (query.cursor !== undefined) {
      params.push(decodeCursor(query.cursor));
      where.push(`id < $${params.length}::bigint`);
    }
    params.push(limit + 1);
    const rows = await this.database.query<AuditRow>(
      `SELECT * FROM ${this.table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    return { items: page.map(toEntry), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null };
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: String(row.id),
    occurredAt: new Date(row.occurred_at).toISOString(),
    actor: { tokenId: row.actor_token_id, name: row.actor_name, role: row.actor_role },
    action: row.action,
    resource: { type: row.resource_type, id: row.resource_id },
    fields: row.fields ?? [],
    outcome: row.outcome,
    status: row.status,
    errorCode: row.error_code,
    client: { ip: row.client_ip, userAgent: row.user_agent, requestId: row.request_id },
    details: row.details ?? {},
  };
}

function clip(text: string | null): string | null {
  return text === null ? null : text.slice(0, MAX_TEXT);
}

// Opaque to clients, so the ordering column can change without breaking their saved cursors' format.
function encodeCursor(id: string): string {
  return Buffer.from(`a1:${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^a1:(\d{1,19})$/.exec(text);
  if (!match) throw invalidQuery('cursor', 'expected the nextCursor of a previous page');
  return match[1]!;
}

function invalidQuery(field: string, message: string): SecurityError {
  return new SecurityError('INVALID_AUDIT_QUERY', `${field}: ${message}`, 400, { field });
}
