import { missingScopes, resolveScopes, type Role, type Scope } from './scopes';

/** Who is calling: the token a request authenticated with. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
  scopes: readonly Scope[];
}

/** One token as every service holds it (from the cdp.auth.tokens topic). Times are epoch ms. */
export interface TokenState {
  tokenId: string;
  name: string;
  /** SHA-256 of the bearer token (hex); the token itself is never kept. */
  tokenHash: string;
  role: Role;
  scopes: readonly Scope[];
  createdAt: number;
  createdBy: string;
  expiresAt: number | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

export type TokenStatus = 'active' | 'expired' | 'revoked';

export function tokenStatus(token: TokenState, now: number): TokenStatus {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt <= now) return 'expired';
  return 'active';
}

export function principalOf(token: TokenState): Principal {
  return { tokenId: token.tokenId, name: token.name, role: token.role, scopes: token.scopes };
}

export type TokenCommand =
  | {
      type: 'IssueToken';
      tokenId: string;
      tokenHash: string;
      name: string;
      role: Role;
      /** Omitted: the role's default scopes. */
      scopes?: readonly string[];
      expiresAt: number | null;
      issuer: Principal;
      now: number;
    }
  | { type: 'RevokeToken'; by: Principal; now: number };

export type TokenEvent = { type: 'AccessTokenIssued'; token: TokenState } | { type: 'AccessTokenRevoked'; token: TokenState };

export type TokenRejection =
  | { code: 'INVALID_TOKEN_REQUEST'; field: 'name' | 'scopes' | 'expiresAt'; message: string }
  | { code: 'TOKEN_SCOPE_ESCALATION'; message: string; scopes: string[] }
  | { code: 'TOKEN_NOT_FOUND'; message: string }
  | { code: 'TOKEN_EXISTS'; message: string };

export type TokenDecision = { ok: true; events: TokenEvent[] } | { ok: false; rejection: TokenRejection };

const MAX_NAME_LENGTH = 200;

/**
 * What issuing or revoking a token means, given the token's current state (undefined: unknown).
 * A token grants its role's scopes or fewer, and never a scope its issuer lacks, so holding
 * `tokens:manage` does not let anyone mint rights they do not have. Revoking twice changes nothing.
 */
export function decide(command: TokenCommand, state: TokenState | undefined): TokenDecision {
  switch (command.type) {
    case 'IssueToken': {
      if (state !== undefined) return reject({ code: 'TOKEN_EXISTS', message: `token ${command.tokenId} already exists` });
      const name = command.name.trim();
      if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
        return reject({ code: 'INVALID_TOKEN_REQUEST', field: 'name', message: `name: expected a non-empty string of at most ${MAX_NAME_LENGTH} characters` });
      }
      const resolved = resolveScopes(command.role, command.scopes);
      if (!resolved.ok) {
        const message =
          resolved.reason === 'NO_SCOPES'
            ? 'scopes: expected at least one scope (omit scopes for the role\'s defaults)'
            : resolved.reason === 'UNKNOWN_SCOPE'
              ? `scopes: unknown scope ${resolved.scopes.join(', ')}`
              : `scopes: ${resolved.scopes.join(', ')} ${resolved.scopes.length === 1 ? 'is' : 'are'} not among the scopes of role ${command.role}`;
        return reject({ code: 'INVALID_TOKEN_REQUEST', field: 'scopes', message });
      }
      const beyondIssuer = missingScopes(command.issuer.scopes, resolved.scopes);
      if (beyondIssuer.length > 0) {
        return reject({
          code: 'TOKEN_SCOPE_ESCALATION',
          scopes: beyondIssuer,
          message: `a token cannot grant scopes its issuer lacks: ${beyondIssuer.join(', ')}`,
        });
      }
      if (command.expiresAt !== null && command.expiresAt <= command.now) {
        return reject({ code: 'INVALID_TOKEN_REQUEST', field: 'expiresAt', message: 'expiresAt: expected an instant in the future' });
      }
      return accept({
        type: 'AccessTokenIssued',
        token: {
          tokenId: command.tokenId,
          name,
          tokenHash: command.tokenHash,
          role: command.role,
          scopes: resolved.scopes,
          createdAt: command.now,
          createdBy: command.issuer.tokenId,
          expiresAt: command.expiresAt,
          revokedAt: null,
          revokedBy: null,
        },
      });
    }
    case 'RevokeToken': {
      if (state === undefined) return reject({ code: 'TOKEN_NOT_FOUND', message: 'no such token' });
      if (state.revokedAt !== null) return { ok: true, events: [] };
      return accept({ type: 'AccessTokenRevoked', token: { ...state, revokedAt: command.now, revokedBy: command.by.tokenId } });
    }
    default: {
      const unreachable: never = command;
      throw new Error(`unknown token command ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * A token's state after an event. Each event carries the full state (the topic is compacted), but
 * revocation is one-way: a replayed or late "issued" snapshot never revives a revoked token.
 */
export function evolve(state: TokenState | undefined, event: TokenEvent): TokenState {
  switch (event.type) {
    case 'AccessTokenIssued':
    case 'AccessTokenRevoked': {
      const next = event.token;
      if (state?.revokedAt != null && next.revokedAt === null) {
        return { ...next, revokedAt: state.revokedAt, revokedBy: state.revokedBy };
      }
      return next;
    }
    default: {
      const unreachable: never = event;
      throw new Error(`unknown token event ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Whether `principal` may call a handler that requires `scopes` and (when given) one of `roles`. */
export type Authorization =
  | { ok: true }
  | { ok: false; code: 'AUTH_SCOPE_MISSING'; missing: string[] }
  | { ok: false; code: 'AUTH_ROLE_FORBIDDEN'; roles: readonly Role[] };

export function authorize(principal: Principal, required: { scopes?: readonly string[]; roles?: readonly Role[] }): Authorization {
  if (required.roles && required.roles.length > 0 && !required.roles.includes(principal.role)) {
    return { ok: false, code: 'AUTH_ROLE_FORBIDDEN', roles: required.roles };
  }
  const missing = missingScopes(principal.scopes, required.scopes ?? []);
  return missing.length > 0 ? { ok: false, code: 'AUTH_SCOPE_MISSING', missing } : { ok: true };
}

function accept(event: TokenEvent): TokenDecision {
  return { ok: true, events: [event] };
}

function reject(rejection: TokenRejection): TokenDecision {
  return { ok: false, rejection };
}
