import { TestingError } from '../testing.error';
import { assertTestDatabase, testDatabaseName, withDatabase } from './test-database';

describe('assertTestDatabase', () => {
  it.each(['cdp', 'postgres', 'profile', 'postgres://postgres@127.0.0.1:5432/cdp', 'postgres://u:p@db:5432/', 'postgres://h/test%'])(
    'refuses %s',
    (target) => {
      expect(() => assertTestDatabase(target)).toThrow(TestingError);
      expect(() => assertTestDatabase(target)).toThrow(/refusing to touch database/);
    },
  );

  it.each(['cdp_test_abc', 'my_test', 'postgres://postgres@127.0.0.1:5432/cdp_test_k3x_identity_a1b2c3?sslmode=disable'])(
    'accepts %s',
    (target) => {
      expect(() => assertTestDatabase(target)).not.toThrow();
    },
  );

  it('reports the refusal with a machine-readable code', () => {
    try {
      assertTestDatabase('cdp');
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as TestingError).code).toBe('NOT_A_TEST_DATABASE');
    }
  });
});

describe('testDatabaseName', () => {
  it('names a fresh test database per call, carrying the run id and label', () => {
    process.env.CDP_TEST_RUN_ID = 'run42abc';
    const a = testDatabaseName('Identity Graph');
    const b = testDatabaseName('Identity Graph');
    expect(a).toMatch(/^cdp_test_run42abc_identity_graph_[a-z0-9]{6}$/);
    expect(a).not.toBe(b);
    expect(() => assertTestDatabase(a)).not.toThrow();
  });

  it('stays within the Postgres identifier limit for long labels', () => {
    const name = testDatabaseName('x'.repeat(200));
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9_]+$/);
  });

  it('works without a label', () => {
    expect(testDatabaseName()).toMatch(/^cdp_test_[a-z0-9]+_[a-z0-9]{6}$/);
  });
});

describe('withDatabase', () => {
  it('keeps server, credentials and options, swapping only the database', () => {
    expect(withDatabase('postgres://u:p%40ss@db.example:6543/postgres?sslmode=require', 'cdp_test_x')).toBe(
      'postgres://u:p%40ss@db.example:6543/cdp_test_x?sslmode=require',
    );
  });
});
