import { securityTablesDdl } from './security-tables';

describe('securityTablesDdl', () => {
  it('creates data_keys and audit_log in the given schema, re-runnably', () => {
    const ddl = securityTablesDdl('identity');
    expect(ddl.some((s) => s.includes('CREATE TABLE IF NOT EXISTS "identity".data_keys'))).toBe(true);
    expect(ddl.some((s) => s.includes('CREATE TABLE IF NOT EXISTS "identity".audit_log'))).toBe(true);
    expect(ddl.every((s) => /IF NOT EXISTS/.test(s))).toBe(true);
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => securityTablesDdl('identity"; drop table x; --')).toThrow('Invalid SQL identifier');
  });
});
