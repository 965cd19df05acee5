import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseError } from './clickhouse.error';
import { loadClickHouseMigrations } from './clickhouse-migrations';

describe('loadClickHouseMigrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ch-migrations-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, sql: string) => writeFileSync(join(dir, name), sql);
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error instanceof ClickHouseError ? error.code : String(error);
    }
    return 'no error';
  };

  it('orders migrations by version and puts the database name in place', () => {
    write('0010_events.sql', 'CREATE TABLE IF NOT EXISTS {{database}}.events (id UUID) ENGINE = MergeTree ORDER BY id;');
    write('0002_first.sql', 'CREATE DATABASE IF NOT EXISTS {{database}};');
    write('README.md', 'not a migration');
    const migrations = loadClickHouseMigrations(dir, 'cdp_test');
    expect(migrations.map((m) => [m.version, m.name])).toEqual([
      [2, 'first'],
      [10, 'events'],
    ]);
    expect(migrations[1]!.statements).toEqual(['CREATE TABLE IF NOT EXISTS cdp_test.events (id UUID) ENGINE = MergeTree ORDER BY id']);
  });

  it('gives a file the same checksum whatever the database is called', () => {
    write('0001_db.sql', 'CREATE DATABASE IF NOT EXISTS {{database}};');
    expect(loadClickHouseMigrations(dir, 'a')[0]!.checksum).toBe(loadClickHouseMigrations(dir, 'b')[0]!.checksum);
  });

  it('refuses misnamed files, reused versions, empty files and unsafe database names', () => {
    write('1_short.sql', 'SELECT 1');
    expect(codeOf(() => loadClickHouseMigrations(dir, 'cdp'))).toBe('CLICKHOUSE_MIGRATION_INVALID');
    rmSync(join(dir, '1_short.sql'));

    write('0001_a.sql', 'SELECT 1');
    write('0001_b.sql', 'SELECT 2');
    expect(() => loadClickHouseMigrations(dir, 'cdp')).toThrow('version 1 is used twice');
    rmSync(join(dir, '0001_b.sql'));

    write('0002_empty.sql', '-- nothing yet\n');
    expect(() => loadClickHouseMigrations(dir, 'cdp')).toThrow('contains no statement');
    rmSync(join(dir, '0002_empty.sql'));

    expect(() => loadClickHouseMigrations(dir, 'cdp; DROP DATABASE x')).toThrow('not a valid ClickHouse database name');
  });
});
