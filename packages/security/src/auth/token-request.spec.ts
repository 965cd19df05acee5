import { parseCreateTokenRequest } from './token-request';

describe('parseCreateTokenRequest', () => {
  it('reads name, role, scopes and an ISO expiry', () => {
    expect(parseCreateTokenRequest({ name: 'BI', role: 'analyst', scopes: ['sql:read'], expiresAt: '2027-01-31T00:00:00Z' })).toEqual({
      name: 'BI',
      role: 'analyst',
      scopes: ['sql:read'],
      expiresAt: Date.UTC(2027, 0, 31),
    });
    expect(parseCreateTokenRequest({ name: 'BI', role: 'analyst' })).toEqual({ name: 'BI', role: 'analyst', scopes: undefined, expiresAt: null });
  });

  it.each([
    [[], undefined],
    [{ name: 'x', role: 'root' }, 'role'],
    [{ name: 'x', role: 'admin', scopes: 'profiles:read' }, 'scopes'],
    [{ name: 'x', role: 'admin', expiresAt: '2027-01-31' }, 'expiresAt'],
    [{ name: 'x', role: 'admin', owner: 'me' }, 'owner'],
    [{ role: 'admin' }, 'name'],
  ])('refuses %j with a 422 naming the field', (body, field) => {
    expect(() => parseCreateTokenRequest(body)).toThrow(expect.objectContaining({ code: 'INVALID_TOKEN_REQUEST', status: 422, extras: { field } }));
  });
});
