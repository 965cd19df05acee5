import { authorize, decide, evolve, tokenStatus, type Principal, type TokenCommand, type TokenEvent, type TokenState } from './access-token';
import { ROLE_SCOPES, SCOPES } from './scopes';

const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);
const admin: Principal = { tokenId: 'bootstrap', name: 'bootstrap admin token', role: 'admin', scopes: SCOPES };

const issue = (overrides: Partial<Extract<TokenCommand, { type: 'IssueToken' }>> = {}): TokenCommand => ({
  type: 'IssueToken',
  tokenId: 't-1',
  tokenHash: 'h-1',
  name: 'CRM sync',
  role: 'marketer',
  expiresAt: null,
  issuer: admin,
  now: NOW,
  ...overrides,
});

/** given(events) / when(command) / then(events or rejection) */
function given(events: TokenEvent[]) {
  const state = events.reduce<TokenState | undefined>(evolve, undefined);
  return { when: (command: TokenCommand) => ({ state, decision: decide(command, state) }) };
}

function issued(overrides: Partial<TokenState> = {}): TokenEvent {
  return {
    type: 'AccessTokenIssued',
    token: {
      tokenId: 't-1',
      name: 'CRM sync',
      tokenHash: 'h-1',
      role: 'marketer',
      scopes: ROLE_SCOPES.marketer,
      createdAt: NOW,
      createdBy: 'bootstrap',
      expiresAt: null,
      revokedAt: null,
      revokedBy: null,
      ...overrides,
    },
  };
}

describe('issuing a token', () => {
  it('issues it with the role\'s default scopes and the issuer recorded', () => {
    expect(given([]).when(issue()).decision).toEqual({ ok: true, events: [issued()] });
  });

  it('narrows it to the requested scopes', () => {
    const { decision } = given([]).when(issue({ scopes: ['profiles:read'] }));
    expect(decision.ok && decision.events[0]!.token.scopes).toEqual(['profiles:read']);
  });

  it('refuses a scope outside the role, naming it', () => {
    expect(given([]).when(issue({ role: 'analyst', scopes: ['pii:read'] })).decision).toEqual({
      ok: false,
      rejection: { code: 'INVALID_TOKEN_REQUEST', field: 'scopes', message: 'scopes: pii:read is not among the scopes of role analyst' },
    });
  });

  it('refuses to grant scopes the issuer lacks, even when the role has them', () => {
    const narrowAdmin: Principal = { tokenId: 't-0', name: 'token admin', role: 'admin', scopes: ['tokens:manage', 'profiles:read'] };
    expect(given([]).when(issue({ issuer: narrowAdmin, role: 'marketer', scopes: ['profiles:read', 'pii:read'] })).decision).toEqual({
      ok: false,
      rejection: { code: 'TOKEN_SCOPE_ESCALATION', scopes: ['pii:read'], message: 'a token cannot grant scopes its issuer lacks: pii:read' },
    });
  });

  it('refuses an expiry in the past and a blank name', () => {
    expect(given([]).when(issue({ expiresAt: NOW })).decision).toMatchObject({ ok: false, rejection: { field: 'expiresAt' } });
    expect(given([]).when(issue({ name: '   ' })).decision).toMatchObject({ ok: false, rejection: { field: 'name' } });
  });

  it('refuses to issue a token id twice', () => {
    expect(given([issued()]).when(issue()).decision).toMatchObject({ ok: false, rejection: { code: 'TOKEN_EXISTS' } });
  });
});

describe('revoking a token', () => {
  const revoke: TokenCommand = { type: 'RevokeToken', by: admin, now: NOW + 1000 };

  it('revokes it, recording when and by whom', () => {
    expect(given([issued()]).when(revoke).decision).toEqual({ ok: true, events: [{ type: 'AccessTokenRevoked', token: issued({ revokedAt: NOW + 1000, revokedBy: 'bootstrap' }).token }] });
  });

  it('changes nothing when it is already revoked', () => {
    expect(given([issued(), { type: 'AccessTokenRevoked', token: issued({ revokedAt: NOW, revokedBy: 'x' }).token }]).when(revoke).decision).toEqual({ ok: true, events: [] });
  });

  it('refuses an unknown token', () => {
    expect(given([]).when(revoke).decision).toMatchObject({ ok: false, rejection: { code: 'TOKEN_NOT_FOUND' } });
  });

  it('stays revoked when an older "issued" snapshot is replayed after the revocation', () => {
    const revoked = { type: 'AccessTokenRevoked', token: issued({ revokedAt: NOW, revokedBy: 'x' }).token } as const;
    const state = [issued(), revoked, issued()].reduce<TokenState | undefined>(evolve, undefined)!;
    expect(tokenStatus(state, NOW)).toBe('revoked');
    expect(state.revokedBy).toBe('x');
  });
});

describe('token status and authorization', () => {
  it('is active until its expiry, then expired', () => {
    const token = issued({ expiresAt: NOW + 60_000 }).token;
    expect(tokenStatus(token, NOW + 59_999)).toBe('active');
    expect(tokenStatus(token, NOW + 60_000)).toBe('expired');
  });

  it('names the scopes a principal lacks, and refuses a role that is not allowed', () => {
    const analyst: Principal = { tokenId: 't-2', name: 'bi', role: 'analyst', scopes: ROLE_SCOPES.analyst };
    expect(authorize(analyst, { scopes: ['profiles:read', 'pii:read'] })).toEqual({ ok: false, code: 'AUTH_SCOPE_MISSING', missing: ['pii:read'] });
    expect(authorize(analyst, { scopes: ['profiles:read'], roles: ['admin', 'operator'] })).toEqual({ ok: false, code: 'AUTH_ROLE_FORBIDDEN', roles: ['admin', 'operator'] });
    expect(authorize(analyst, { scopes: ['sql:read'], roles: ['analyst'] })).toEqual({ ok: true });
  });
});
