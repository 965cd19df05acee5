/** Roles of management API tokens. */
export const ROLES = ['admin', 'marketer', 'analyst', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Every scope a management API may require. `pii:read` is separate from the resource scopes: a
 * handler that returns plaintext PII requires it in addition to e.g. `profiles:read`.
 */
export const SCOPES = [
  'profiles:read',
  'profiles:write',
  'pii:read',
  'segments:read',
  'segments:write',
  'loyalty:read',
  'loyalty:write',
  'identity:read',
  'identity:admin',
  'imports:write',
  'sources:manage',
  'reports:read',
  'sql:read',
  'privacy:erase',
  'privacy:export',
  'audit:read',
  'tokens:manage',
] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Default scopes of each role; a token gets these unless it asks for fewer.
 * - admin: everything.
 * - marketer: profiles (with PII), segments, loyalty, reports; no tokens, audit, identity admin or SQL.
 * - analyst: read-only and without PII: profiles, segments, loyalty, identity, reports, ClickHouse SQL.
 * - operator: operations without PII: identity admin, imports, sources, erasure, the audit log.
 */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  admin: SCOPES,
  marketer: ['profiles:read', 'profiles:write', 'pii:read', 'segments:read', 'segments:write', 'loyalty:read', 'loyalty:write', 'reports:read'],
  analyst: ['profiles:read', 'segments:read', 'loyalty:read', 'identity:read', 'reports:read', 'sql:read'],
  operator: ['profiles:read', 'segments:read', 'loyalty:read', 'identity:read', 'identity:admin', 'imports:write', 'sources:manage', 'privacy:erase', 'audit:read'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

export type ScopeResolution =
  | { ok: true; scopes: Scope[] }
  | { ok: false; reason: 'UNKNOWN_SCOPE' | 'SCOPE_NOT_IN_ROLE' | 'NO_SCOPES'; scopes: string[] };

/**
 * The scopes a token of `role` gets: the role's defaults when none are requested, else the
 * requested ones, which must be known and among the role's (a token only ever narrows its role).
 * Returned in the canonical order of SCOPES, without duplicates.
 */
export function resolveScopes(role: Role, requested?: readonly string[]): ScopeResolution {
  const allowed = ROLE_SCOPES[role];
  if (requested === undefined) return { ok: true, scopes: [...allowed] };
  if (requested.length === 0) return { ok: false, reason: 'NO_SCOPES', scopes: [] };
  const unknown = requested.filter((scope) => !isScope(scope));
  if (unknown.length > 0) return { ok: false, reason: 'UNKNOWN_SCOPE', scopes: unknown };
  const outside = requested.filter((scope) => !allowed.includes(scope as Scope));
  if (outside.length > 0) return { ok: false, reason: 'SCOPE_NOT_IN_ROLE', scopes: outside };
  const wanted = new Set(requested);
  return { ok: true, scopes: SCOPES.filter((scope) => wanted.has(scope)) };
}

/** The scopes of `required` that `granted` lacks, in the order they were required. */
export function missingScopes(granted: readonly string[], required: readonly string[]): string[] {
  return required.filter((scope) => !granted.includes(scope));
}
