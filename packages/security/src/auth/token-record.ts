import type { AccessToken } from '@cdp/contracts';
import { isRole, isScope, type Scope } from '../domain/scopes';
import type { TokenEvent } from '../domain/access-token';

/** The record of cdp.auth.tokens for a token event (schema cdp.auth.AccessToken v1). */
export function tokenRecord(event: TokenEvent, meta: { id: string; occurredAt: number; producer: string; correlationId: string | null }): AccessToken {
  const { token } = event;
  return {
    id: meta.id,
    type: event.type,
    occurredAt: meta.occurredAt,
    data: {
      tokenId: token.tokenId,
      name: token.name,
      tokenHash: token.tokenHash,
      role: token.role,
      scopes: [...token.scopes],
      createdAt: token.createdAt,
      createdBy: token.createdBy,
      expiresAt: token.expiresAt,
      revokedAt: token.revokedAt,
      revokedBy: token.revokedBy,
    },
    metadata: { correlationId: meta.correlationId, causationId: null, producer: meta.producer, schemaVersion: 1 },
  };
}

/**
 * The token event a record carries, or why it grants nothing here: a role this process does not
 * know makes the token unusable, and scopes it does not know are dropped (a newer producer may
 * know more of them; granting less is the safe direction).
 */
export function tokenEventOf(record: AccessToken): { ok: true; event: TokenEvent } | { ok: false; reason: string } {
  const { data } = record;
  if (!isRole(data.role)) return { ok: false, reason: `unknown role "${data.role}"` };
  const scopes: Scope[] = data.scopes.filter(isScope);
  return {
    ok: true,
    event: {
      type: record.type,
      token: {
        tokenId: data.tokenId,
        name: data.name,
        tokenHash: data.tokenHash,
        role: data.role,
        scopes,
        createdAt: data.createdAt,
        createdBy: data.createdBy,
        expiresAt: data.expiresAt,
        revokedAt: data.revokedAt,
        revokedBy: data.revokedBy,
      },
    },
  };
}
