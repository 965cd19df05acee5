import { Client } from 'pg';
import { testInfra } from '../infra/test-infra';
import { currentRunId, randomSuffix, sanitizeLabel } from '../run-id';
import { TestingError } from '../testing.error';

export interface TestDatabase {
  name: string;
  /** Same server and credentials as the admin URL, pointing at this database. */
  url: string;
  /** Terminates open connections, then drops the database. Refuses non-test databases. */
  drop(): Promise<void>;
}

const POSTGRES_MAX_IDENTIFIER = 63;

/** `cdp_test_<runId>_<label>_<rand>`: unique per call, recognisably a test database, < 64 chars. */
export function testDatabaseName(label?: string): string {
  const head = `cdp_test_${currentRunId()}`;
  const tail = randomSuffix(6);
  const room = POSTGRES_MAX_IDENTIFIER - head.length - tail.length - 2;
  const clean = label ? sanitizeLabel(label, '_', Math.min(room, 30)) : '';
  return clean ? `${head}_${clean}_${tail}` : `${head}_${tail}`;
}

export function databaseNameOf(urlOrName: string): string {
  if (!urlOrName.includes('://')) return urlOrName;
  try {
    return decodeURIComponent(new URL(urlOrName).pathname.replace(/^\//, ''));
  } catch {
    // An unparsable URL names no database we could prove to be a test one.
    return '';
  }
}

/** Guard for destructive helpers: throws unless the database's name contains "test". */
export function assertTestDatabase(urlOrName: string): void {
  const name = databaseNameOf(urlOrName);
  if (!/test/i.test(name)) {
    throw new TestingError(
      'NOT_A_TEST_DATABASE',
      `refusing to touch database "${name || '(none)'}": destructive test helpers only act on databases whose name contains "test"`,
    );
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(label?: string): Promise<TestDatabase> {
  const { adminDatabaseUrl } = testInfra();
  const name = testDatabaseName(label);
  assertTestDatabase(name);
  await withAdmin(adminDatabaseUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  return {
    name,
    url: withDatabase(adminDatabaseUrl, name),
    drop: () => dropTestDatabase(adminDatabaseUrl, name),
  };
}

export async function dropTestDatabase(adminUrl: string, name: string): Promise<void> {
  assertTestDatabase(name);
  await withAdmin(adminUrl, async (client) => {
    // Pools left open by the code under test would otherwise make DROP DATABASE fail.
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  });
}
