import { isRole, ROLES, type Role } from '../domain/scopes';
import { SecurityError } from '../security.error';

export interface CreateTokenRequest {
  name: string;
  role: Role;
  scopes?: string[];
  expiresAt: number | null;
}

const FIELDS = new Set(['name', 'role', 'scopes', 'expiresAt']);
// An instant with its offset: a bare local time would mean something else on every server.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The body of `POST /v1/tokens`: `{ name, role, scopes?, expiresAt? }`; each complaint names its field. */
export function parseCreateTokenRequest(body: unknown): CreateTokenRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid(undefined, 'expected a JSON object { name, role, scopes?, expiresAt? }');
  const raw = body as Record<string, unknown>;
  const unknown = Object.keys(raw).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) throw invalid(unknown, `unknown field; expected ${[...FIELDS].join(', ')}`);
  if (typeof raw.name !== 'string') throw invalid('name', 'expected a string');
  if (!isRole(raw.role)) throw invalid('role', `expected one of ${ROLES.join(', ')}`);
  let scopes: string[] | undefined;
  if (raw.scopes !== undefined && raw.scopes !== null) {
    if (!Array.isArray(raw.scopes) || !raw.scopes.every((s) => typeof s === 'string')) throw invalid('scopes', 'expected an array of scope names');
    scopes = raw.scopes as string[];
  }
  let expiresAt: number | null = null;
  if (raw.expiresAt !== undefined && raw.expiresAt !== null) {
    const parsed = typeof raw.expiresAt === 'string' && ISO_INSTANT.test(raw.expiresAt) ? Date.parse(raw.expiresAt) : Number.NaN;
    if (Number.isNaN(parsed)) throw invalid('expiresAt', 'expected an ISO 8601 instant with offset, e.g. "2027-01-31T00:00:00Z", or null');
    expiresAt = parsed;
  }
  return { name: raw.name, role: raw.role, scopes, expiresAt };
}

function invalid(field: string | undefined, message: string): SecurityError {
  return new SecurityError('INVALID_TOKEN_REQUEST', field ? `${field}: ${message}` : message, 422, { field });
}
