import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDataDir, testInfra } from '@cdp/testing';
import { appliedMigrations, ClickHouseError, createClickHouse, runClickHouseMigrations, type ClickHouse } from '../src';

const uniqueDatabase = () => `cdp_test_${Math.random().toString(36).slice(2, 10)}`;

// Against the ClickHouse the run was given: a server when CLICKHOUSE_URL is set, else embedded.
async function openStore(label: string): Promise<ClickHouse> {
  return createClickHouse({ url: testInfra().clickhouseUrl, dataDir: testDataDir(label), database: uniqueDatabase() });
}

function writeMigrations(files: Record<string, string>): string {
  const dir = testDataDir('migrations');
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

async function rows<T>(clickhouse: ClickHouse, sql: string): Promise<T[]> {
  return (await clickhouse.client.query({ query: sql, format: 'JSONEachRow' })).json<T>();
}

async function errorCode(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    return error instanceof ClickHouseError ? error.code : `unexpected ${String(error)}`;
  }
  return 'no error';
}

describe('ClickHouse migrations', () => {
  let clickhouse: ClickHouse;
  beforeEach(async () => {
    clickhouse = await openStore('migrations-store');
  });
  afterEach(async () => {
    if (testInfra().clickhouseUrl) await clickhouse.client.command({ query: `DROP DATABASE IF EXISTS ${clickhouse.database}` });
    await clickhouse.close();
  });

  const migrations = {
    '0001_page_views.sql': `
      -- Page views, one row per event id.
      CREATE TABLE IF NOT EXISTS {{database}}.page_views (
        event_id UUID,
        path String,
        viewed_at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree ORDER BY event_id;`,
    '0002_page_views_by_day.sql': `
      CREATE TABLE IF NOT EXISTS {{database}}.page_views_by_day (day Date, views UInt64) ENGINE = SummingMergeTree ORDER BY day;
      INSERT INTO {{database}}.page_views_by_day VALUES ('2026-01-01', 3);`,
  };

  it('creates the database, applies every migration once and records it', async () => {
    const dir = writeMigrations(migrations);
    const first = await runClickHouseMigrations(clickhouse, dir);
    expect(first.applied).toEqual([
      { version: 1, name: 'page_views' },
      { version: 2, name: 'page_views_by_day' },
    ]);

    const second = await runClickHouseMigrations(clickhouse, dir);
    expect(second).toEqual({ applied: [], unknown: [] });
    // The data migration ran once, not twice.
    expect(await rows(clickhouse, `SELECT toUInt32(sum(views)) AS views FROM ${clickhouse.database}.page_views_by_day`)).toEqual([
      { views: 3 },
    ]);
    expect([...(await appliedMigrations(clickhouse)).keys()]).toEqual([1, 2]);
    await clickhouse.client.insert({
      table: `${clickhouse.database}.page_views`,
      values: [{ event_id: '6f1c1f4e-8a0b-4c5d-9e3f-2a1b0c9d8e7f', path: '/shoes', viewed_at: '2026-01-01 10:00:00.000' }],
      format: 'JSONEachRow',
    });
    expect(await rows(clickhouse, `SELECT path FROM ${clickhouse.database}.page_views`)).toEqual([{ path: '/shoes' }]);
  });

  it('applies only what is new when a release adds a migration', async () => {
    await runClickHouseMigrations(clickhouse, writeMigrations({ '0001_page_views.sql': migrations['0001_page_views.sql'] }));
    const next = await runClickHouseMigrations(clickhouse, writeMigrations(migrations));
    expect(next.applied).toEqual([{ version: 2, name: 'page_views_by_day' }]);
  });

  it('refuses to continue when an applied migration was edited', async () => {
    await runClickHouseMigrations(clickhouse, writeMigrations(migrations));
    const edited = writeMigrations({ ...migrations, '0001_page_views.sql': `${migrations['0001_page_views.sql']}\n-- tweak` });
    expect(await errorCode(runClickHouseMigrations(clickhouse, edited))).toBe('CLICKHOUSE_MIGRATION_CHANGED');
  });

  it('does not record a migration that failed, and says which statement broke', async () => {
    const dir = writeMigrations({ '0001_broken.sql': 'CREATE DATABASE IF NOT EXISTS {{database}};\nCREATE TABLE nope (;' });
    await expect(runClickHouseMigrations(clickhouse, dir)).rejects.toThrow('migration 1_broken, statement 2');
    expect((await appliedMigrations(clickhouse)).size).toBe(0);
  });

  it('reports versions it has no file for instead of failing', async () => {
    await runClickHouseMigrations(clickhouse, writeMigrations(migrations));
    const older = await runClickHouseMigrations(clickhouse, writeMigrations({ '0001_page_views.sql': migrations['0001_page_views.sql'] }));
    expect(older).toEqual({ applied: [], unknown: [2] });
  });
});

describe('embedded ClickHouse', () => {
  it('answers a ping while open and reports itself unreachable once closed', async () => {
    const clickhouse = await createClickHouse({ dataDir: testDataDir('ping'), database: 'cdp' });
    expect(clickhouse.mode).toBe('embedded');
    await expect(clickhouse.ping()).resolves.toBeUndefined();
    await clickhouse.close();
    expect(await errorCode(clickhouse.ping())).toBe('CLICKHOUSE_UNREACHABLE');
  });

  it('keeps its data in the directory it was given, across reopening', async () => {
    const dataDir = testDataDir('persist');
    const first = await createClickHouse({ dataDir, database: 'cdp' });
    await first.client.command({ query: 'CREATE DATABASE IF NOT EXISTS cdp' });
    await first.client.command({ query: 'CREATE TABLE IF NOT EXISTS cdp.kept (n UInt8) ENGINE = MergeTree ORDER BY n' });
    await first.client.insert({ table: 'cdp.kept', values: [{ n: 7 }], format: 'JSONEachRow' });
    await first.close();

    const again = await createClickHouse({ dataDir, database: 'cdp' });
    expect(await rows(again, 'SELECT n FROM cdp.kept')).toEqual([{ n: 7 }]);
    await again.close();
  });

  it('holds one data directory per process: a second one opens only after the first is closed', async () => {
    const first = await createClickHouse({ dataDir: testDataDir('first'), database: 'cdp' });
    await expect(createClickHouse({ dataDir: testDataDir('second'), database: 'cdp' })).rejects.toThrow(
      /only one active data directory per process/,
    );
    await first.close();
    const second = await createClickHouse({ dataDir: testDataDir('second'), database: 'cdp' });
    await expect(second.ping()).resolves.toBeUndefined();
    await second.close();
  });

  it('refuses to start where a config.xml would silently move its data elsewhere', async () => {
    const cwd = testDataDir('cwd-with-config');
    writeFileSync(join(cwd, 'config.xml'), '<clickhouse><path>/tmp/elsewhere/</path></clickhouse>');
    expect(await errorCode(createClickHouse({ dataDir: testDataDir('data'), database: 'cdp' }, { cwd }))).toBe('CLICKHOUSE_CWD_CONFIG');
  });
});

describe('sessions', () => {
  let clickhouse: ClickHouse;
  beforeAll(async () => {
    clickhouse = await openStore('sessions');
    await clickhouse.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${clickhouse.database}` });
    await clickhouse.client.command({ query: `CREATE TABLE IF NOT EXISTS ${clickhouse.database}.notes (n UInt32) ENGINE = MergeTree ORDER BY n` });
    await clickhouse.client.insert({ table: `${clickhouse.database}.notes`, values: [{ n: 1 }, { n: 2 }, { n: 3 }], format: 'JSONEachRow' });
  });
  afterAll(async () => {
    if (testInfra().clickhouseUrl) await clickhouse.client.command({ query: `DROP DATABASE IF EXISTS ${clickhouse.database}` });
    await clickhouse.close();
  });

  const readOnly = (settings: Record<string, string | number> = {}) => ({ database: clickhouse.database, settings, readOnly: true });

  it('resolves unqualified names in its database and refuses writes and setting changes when read-only', async () => {
    await clickhouse.withSession(readOnly({ max_result_rows: 10 }), async (session) => {
      expect(await (await session.query({ query: 'SELECT count() AS c FROM notes', format: 'JSONEachRow' })).json()).toEqual([{ c: expect.anything() }]);
      await expect(session.command({ query: `INSERT INTO ${clickhouse.database}.notes VALUES (4)` })).rejects.toThrow(/readonly/i);
      await expect(session.query({ query: 'SELECT 1 SETTINGS max_result_rows = 1000', format: 'JSONEachRow' })).rejects.toThrow(/readonly/i);
    });
  });

  it('keeps its settings to itself: the shared connection still writes', async () => {
    await clickhouse.withSession(readOnly(), async (session) => {
      await session.query({ query: 'SELECT 1', format: 'JSONEachRow' });
    });
    await clickhouse.client.insert({ table: `${clickhouse.database}.notes`, values: [{ n: 5 }], format: 'JSONEachRow' });
    expect(await rows(clickhouse, `SELECT toUInt32(count()) AS c FROM ${clickhouse.database}.notes WHERE n = 5`)).toEqual([{ c: 1 }]);
  });

  it('enforces its limits with ClickHouse errors', async () => {
    await clickhouse.withSession(readOnly({ max_result_rows: 2, result_overflow_mode: 'throw' }), async (session) => {
      await expect(session.query({ query: 'SELECT n FROM notes', format: 'JSONEachRow' })).rejects.toThrow(/Limit for result exceeded/);
    });
    await clickhouse.withSession(readOnly({ max_execution_time: 1, timeout_overflow_mode: 'throw' }), async (session) => {
      await expect(session.query({ query: 'SELECT count() FROM system.numbers WHERE sipHash64(number) = 0', format: 'JSONEachRow' })).rejects.toThrow(
        /Timeout exceeded/,
      );
    });
  });

  it('refuses a setting name that is not an identifier', async () => {
    await expect(clickhouse.withSession({ settings: { 'x = 1; DROP DATABASE y': 1 } }, async () => undefined)).rejects.toThrow(/not a valid setting name/);
  });
});
