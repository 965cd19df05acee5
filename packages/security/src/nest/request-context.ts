import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../domain/access-token';
import type { AuditClient, AuditEntryInput, AuditLog } from '../audit/audit-log';
import type { SecurityError } from '../security.error';
import type { SqlExecutor } from '../sql';

/** What a handler may record about its own call; actor and client are filled in from the request. */
export type RequestAuditEntry = Omit<AuditEntryInput, 'actor' | 'client' | 'outcome'> & { outcome?: AuditEntryInput['outcome'] };

/** The audit trail bound to one request (see the @AuditTrail() parameter decorator). */
export interface RequestAudit {
  readonly principal: Principal | undefined;
  readonly client: AuditClient;
  /** Writes the entry before resolving; pass the handler's transaction to commit it with the change. */
  record(entry: RequestAuditEntry, tx?: SqlExecutor): Promise<void>;
}

export interface SecuredRequest extends IncomingMessage {
  principal?: Principal;
  auditTrail?: RequestAudit;
  params?: Record<string, string>;
  ip?: string;
}

/** The request id pino-http gave the request (the caller's x-request-id when it sent a sane one). */
export function requestIdOf(request: IncomingMessage): string | null {
  const id = (request as { id?: unknown }).id;
  if (typeof id === 'string') return id;
  const header = request.headers['x-request-id'];
  return typeof header === 'string' ? header : null;
}

export function auditClientOf(request: SecuredRequest): AuditClient {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : null;
  };
  // express's req.ip honours the app's `trust proxy` setting; without it this is the peer address.
  const ip = request.ip ?? request.socket?.remoteAddress ?? null;
  return { ip, userAgent: header('user-agent'), requestId: requestIdOf(request) };
}

export function requestAudit(auditLog: AuditLog, request: SecuredRequest): RequestAudit {
  const client = auditClientOf(request);
  return {
    get principal() {
      return request.principal;
    },
    client,
    record: (entry, tx) => {
      const actor = request.principal ?? null;
      return auditLog.record({ ...entry, outcome: entry.outcome ?? 'success', actor, client }, tx);
    },
  };
}

/** Sets what a security error's answer carries besides the problem document. */
export function applyErrorHeaders(response: ServerResponse, error: SecurityError): void {
  if (response.headersSent) return;
  if (error.extras.authenticate) response.setHeader('WWW-Authenticate', error.extras.authenticate);
  if (error.extras.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(error.extras.retryAfterSeconds));
}
