import { ROLE_SCOPES } from '../domain/scopes';
import { Authenticator, BOOTSTRAP_PRINCIPAL } from './authenticator';
import { TokenRegistry } from './token-registry';
import { hashToken, newAccessToken } from './token-secret';

const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);

function setUp() {
  const registry = new TokenRegistry();
  registry.startedAt(new Map([[0, { low: 0, high: 1 }]]));
  let now = NOW;
  const authenticator = new Authenticator(registry, 'bootstrap-secret-0123', () => now);
  const add = (overrides: { expiresAt?: number | null; revokedAt?: number | null } = {}) => {
    const token = newAccessToken();
    registry.apply({
      type: 'AccessTokenIssued',
      token: {
        tokenId: `t-${Math.random()}`,
        name: 'BI export',
        tokenHash: hashToken(token),
        role: 'analyst',
        scopes: ROLE_SCOPES.analyst,
        createdAt: NOW,
        createdBy: 'bootstrap',
        expiresAt: overrides.expiresAt ?? null,
        revokedAt: overrides.revokedAt ?? null,
        revokedBy: overrides.revokedAt ? 'bootstrap' : null,
      },
    });
    return token;
  };
  return { registry, authenticator, add, advanceTo: (ms: number) => (now = ms), catchUp: () => registry.advance(0, 1) };
}

const bearer = (token: string) => `Bearer ${token}`;

describe('Authenticator', () => {
  it('knows the bootstrap token as an admin holding every scope', () => {
    const { authenticator } = setUp();
    expect(authenticator.authenticate(bearer('bootstrap-secret-0123'))).toBe(BOOTSTRAP_PRINCIPAL);
  });

  it('authenticates a registered token as its principal', () => {
    const { authenticator, add, catchUp } = setUp();
    catchUp();
    expect(authenticator.authenticate(bearer(add()))).toMatchObject({ name: 'BI export', role: 'analyst', scopes: ROLE_SCOPES.analyst });
  });

  it('answers 401 with a Bearer challenge for a missing, malformed or unknown token', () => {
    const { authenticator, catchUp } = setUp();
    catchUp();
    expect(() => authenticator.authenticate(undefined)).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_MISSING', status: 401, extras: { authenticate: 'Bearer realm="cdp"' } }));
    expect(() => authenticator.authenticate('Basic abc')).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_MISSING' }));
    expect(() => authenticator.authenticate(bearer('not-a-token'))).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_INVALID', status: 401 }));
    expect(() => authenticator.authenticate(bearer(newAccessToken()))).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_INVALID', status: 401 }));
  });

  it('answers 503 for every token but the bootstrap one while the registry has not read the topic to its end', () => {
    const { authenticator, add } = setUp();
    // Known so far, but its revocation may be further on in the topic.
    const known = add();
    expect(() => authenticator.authenticate(bearer(known))).toThrow(expect.objectContaining({ code: 'AUTH_NOT_READY', status: 503 }));
    expect(() => authenticator.authenticate(bearer(newAccessToken()))).toThrow(expect.objectContaining({ code: 'AUTH_NOT_READY', status: 503 }));
    expect(authenticator.authenticate(bearer('bootstrap-secret-0123'))).toBe(BOOTSTRAP_PRINCIPAL);
  });

  it('refuses a revoked token and, once its expiry has passed, an expired one', () => {
    const { authenticator, add, advanceTo, catchUp } = setUp();
    catchUp();
    expect(() => authenticator.authenticate(bearer(add({ revokedAt: NOW - 1 })))).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_REVOKED', status: 401 }));
    const expiring = add({ expiresAt: NOW + 60_000 });
    expect(authenticator.authenticate(bearer(expiring)).role).toBe('analyst');
    advanceTo(NOW + 60_000);
    expect(() => authenticator.authenticate(bearer(expiring))).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_EXPIRED', status: 401 }));
  });
});
