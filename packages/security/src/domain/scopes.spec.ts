import { missingScopes, resolveScopes, ROLE_SCOPES, ROLES, SCOPES } from './scopes';

describe('roles and their default scopes', () => {
  it('gives admin every scope', () => {
    expect(ROLE_SCOPES.admin).toEqual(SCOPES);
  });

  it('gives marketers profiles with PII, segments and loyalty, but no tokens, audit, identity admin or SQL', () => {
    expect(ROLE_SCOPES.marketer).toEqual(expect.arrayContaining(['profiles:read', 'profiles:write', 'pii:read', 'segments:write', 'loyalty:write']));
    for (const scope of ['tokens:manage', 'audit:read', 'identity:admin', 'sql:read']) expect(ROLE_SCOPES.marketer).not.toContain(scope);
  });

  it('keeps analysts read-only and away from PII, with SQL', () => {
    expect(ROLE_SCOPES.analyst).toContain('sql:read');
    expect(ROLE_SCOPES.analyst).not.toContain('pii:read');
    expect(ROLE_SCOPES.analyst.every((scope) => scope.endsWith(':read'))).toBe(true);
  });

  it('gives operators operations (identity admin, imports) and no PII', () => {
    expect(ROLE_SCOPES.operator).toEqual(expect.arrayContaining(['identity:admin', 'imports:write']));
    expect(ROLE_SCOPES.operator).not.toContain('pii:read');
    expect(ROLE_SCOPES.operator).not.toContain('privacy:export');
    expect(ROLE_SCOPES.operator).not.toContain('tokens:manage');
  });

  it('gives no role but admin the right to manage tokens', () => {
    expect(ROLES.filter((role) => ROLE_SCOPES[role].includes('tokens:manage'))).toEqual(['admin']);
  });
});

describe('resolveScopes', () => {
  it('gives a token its role\'s defaults when it asks for none', () => {
    expect(resolveScopes('analyst')).toEqual({ ok: true, scopes: [...ROLE_SCOPES.analyst] });
  });

  it('narrows to the requested scopes, deduplicated, in canonical order', () => {
    expect(resolveScopes('marketer', ['segments:write', 'profiles:read', 'profiles:read'])).toEqual({ ok: true, scopes: ['profiles:read', 'segments:write'] });
  });

  it('refuses scopes beyond the role, unknown scopes and an empty list, naming them', () => {
    expect(resolveScopes('analyst', ['profiles:read', 'pii:read'])).toEqual({ ok: false, reason: 'SCOPE_NOT_IN_ROLE', scopes: ['pii:read'] });
    expect(resolveScopes('admin', ['profiles:delete'])).toEqual({ ok: false, reason: 'UNKNOWN_SCOPE', scopes: ['profiles:delete'] });
    expect(resolveScopes('admin', [])).toEqual({ ok: false, reason: 'NO_SCOPES', scopes: [] });
  });
});

describe('missingScopes', () => {
  it('lists the required scopes a grant lacks', () => {
    expect(missingScopes(['profiles:read'], ['profiles:read', 'pii:read'])).toEqual(['pii:read']);
    expect(missingScopes(['profiles:read', 'pii:read'], ['pii:read'])).toEqual([]);
  });
});
