import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClickHouse } from './clickhouse';
import { ClickHouseError } from './clickhouse.error';
import { splitSqlStatements } from './sql-statements';

/** `0001_create_events.sql`: a version number of at least four digits, `_`, a name. */
const MIGRATION_FILE = /^(\d{4,})_([a-z0-9][a-z0-9_-]*)\.sql$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Written in migrations where the database name goes, e.g. `CREATE TABLE {{database}}.events`. */
export const DATABASE_PLACEHOLDER = '{{database}}';

export interface ClickHouseMigration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

export interface MigrationOutcome {
  /** Versions applied by this run, in order. */
  applied: Array<{ version: number; name: string }>;
  /** Versions recorded as applied that no migration file describes (e.g. after a rollback to an older release). */
  unknown: number[];
}

/**
 * Reads `NNNN_name.sql` files from `dir`, in version order. Every `.sql` file must follow the
 * naming rule and versions must be unique: a misnamed file would otherwise be silently skipped.
 */
export function loadClickHouseMigrations(dir: string, database: string): ClickHouseMigration[] {
  if (!IDENTIFIER.test(database)) {
    throw new ClickHouseError('CLICKHOUSE_MIGRATION_INVALID', `"${database}" is not a valid ClickHouse database name`);
  }
  const migrations: ClickHouseMigration[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const match = MIGRATION_FILE.exec(file);
    if (!match) {
      throw new ClickHouseError('CLICKHOUSE_MIGRATION_INVALID', `${join(dir, file)}: migration files are named NNNN_name.sql`);
    }
    const version = Number(match[1]);
    if (migrations.some((m) => m.version === version)) {
      throw new ClickHouseError('CLICKHOUSE_MIGRATION_INVALID', `${join(dir, file)}: version ${version} is used twice`);
    }
    const script = readFileSync(join(dir, file), 'utf8');
    const statements = splitSqlStatements(script.split(DATABASE_PLACEHOLDER).join(database));
    if (statements.length === 0) {
      throw new ClickHouseError('CLICKHOUSE_MIGRATION_INVALID', `${join(dir, file)}: contains no statement`);
    }
    // The checksum covers the file as written, so the same file checks out under any database name.
    const checksum = createHash('sha256').update(script).digest('hex');
    migrations.push({ version, name: match[2]!, checksum, statements });
  }
  return migrations.sort((a, b) => a.version - b.version);
}

/**
 * Applies pending migrations from `dir` and records each in `<database>.schema_migrations`.
 *
 * ClickHouse DDL is not transactional: a migration that fails halfway is not recorded and runs
 * again from its first statement next time, so migrations are written to be re-runnable
 * (`IF NOT EXISTS`). ClickHouse has no locks either; callers serialise concurrent runs (services
 * run this under their Postgres migration lock).
 */
export async function runClickHouseMigrations(
  clickhouse: ClickHouse,
  dir: string,
  log: (message: string) => void = () => undefined,
): Promise<MigrationOutcome> {
  const { client, database } = clickhouse;
  const migrations = loadClickHouseMigrations(dir, database);
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${database}.schema_migrations (
      version UInt32,
      name String,
      checksum String,
      applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`,
  });
  const recorded = await appliedMigrations(clickhouse);

  for (const migration of migrations) {
    const checksum = recorded.get(migration.version);
    if (checksum !== undefined && checksum !== migration.checksum) {
      throw new ClickHouseError(
        'CLICKHOUSE_MIGRATION_CHANGED',
        `migration ${migration.version}_${migration.name} was changed after it was applied; add a new migration instead`,
      );
    }
  }

  const applied: MigrationOutcome['applied'] = [];
  for (const migration of migrations.filter((m) => !recorded.has(m.version))) {
    log(`applying ClickHouse migration ${migration.version}_${migration.name}`);
    for (const [index, statement] of migration.statements.entries()) {
      try {
        await client.command({ query: statement });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ClickHouseError(
          'CLICKHOUSE_MIGRATION_FAILED',
          `migration ${migration.version}_${migration.name}, statement ${index + 1}: ${reason}`,
          { cause: error },
        );
      }
    }
    await client.insert({
      table: `${database}.schema_migrations`,
      values: [{ version: migration.version, name: migration.name, checksum: migration.checksum }],
      format: 'JSONEachRow',
    });
    applied.push({ version: migration.version, name: migration.name });
  }

  const known = new Set(migrations.map((m) => m.version));
  return { applied, unknown: [...recorded.keys()].filter((v) => !known.has(v)).sort((a, b) => a - b) };
}

/** Version -> checksum of every migration recorded as applied. */
export async function appliedMigrations(clickhouse: ClickHouse): Promise<Map<number, string>> {
  const result = await clickhouse.client.query({
    query: `SELECT version, checksum FROM ${clickhouse.database}.schema_migrations FINAL ORDER BY version`,
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ version: number; checksum: string }>();
  return new Map(rows.map((r) => [Number(r.version), r.checksum]));
}
