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
/** Entries written by one group commit at most; more wait for the next. */
const MAX_GROUP = 500;

const COLUMNS = 'actor_token_id, actor_name, actor_role, action, resource_type, resource_id, fields, outcome, status, error_code, client_ip, user_agent, request_id, details';

interface Pending {
  row: Record<string, unknown>;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * The service's audit trail in `<schema>.audit_log`. `record` resolves once the row is written;
 * pass the caller's transaction to commit the entry together with the change it describes.
 *
 * Entries without a transaction are group-committed: while one INSERT is committing, the entries
 * of the requests that arrive meanwhile queue up and go together in the next one (a single
 * statement, so a single commit and fsync for all of them). Each caller still resolves only once
 * its own entry is committed, and every caller of a failed INSERT gets its error: durable, and one
 * fsync per group instead of one per request. An idle log writes an entry at once.
 */
export class AuditLog {
  private readonly table: string;
  private queue: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly database: SqlExecutor,
    schema: string,
  ) {
    this.table = `${quoteIdent(schema)}.audit_log`;
  }

  async record(entry: AuditEntryInput, tx?: SqlExecutor): Promise<void> {
    const row = rowOf(entry);
    if (tx) {
      await tx.query(`INSERT INTO ${this.table} (${COLUMNS}) ${FROM_ROWS}`, [JSON.stringify([row])]);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Writes what is queued, one INSERT per group, until the queue is empty. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_GROUP);
        try {
          await this.database.query(`INSERT INTO ${this.table} (${COLUMNS}) ${FROM_ROWS}`, [JSON.stringify(group.map((p) => p.row))]);
          for (const p of group) p.resolve();
        } catch (err) {
          for (const p of group) p.reject(err);
        }
      }
    } finally {
      this.flushing = false;
    }
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

/** The rows of a JSON array (one per entry), in the table's columns. */
const FROM_ROWS = `SELECT r.actor_token_id, r.actor_name, r.actor_role, r.action, r.resource_type, r.resource_id, COALESCE(r.fields, '{}'), r.outcome, r.status,
         r.error_code, r.client_ip, r.user_agent, r.request_id, COALESCE(r.details, '{}')
  FROM json_to_recordset($1::json) AS r(actor_token_id text, actor_name text, actor_role text, action text, resource_type text, resource_id text, fields text[],
         outcome text, status integer, error_code text, client_ip text, user_agent text, request_id text, details jsonb)`;

function rowOf(entry: AuditEntryInput): Record<string, unknown> {
  return {
    actor_token_id: entry.actor?.tokenId ?? null,
    actor_name: entry.actor?.name ?? null,
    actor_role: entry.actor?.role ?? null,
    action: entry.action,
    resource_type: entry.resourceType ?? null,
    resource_id: entry.resourceId ?? null,
    fields: [...(entry.fields ?? [])],
    outcome: entry.outcome,
    status: entry.status ?? null,
    error_code: entry.errorCode ?? null,
    client_ip: clip(entry.client.ip),
    user_agent: clip(entry.client.userAgent),
    request_id: clip(entry.client.requestId),
    details: entry.details ?? {},
  };
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
