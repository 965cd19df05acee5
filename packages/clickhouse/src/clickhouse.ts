import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { ClickHouseError } from './clickhouse.error';

/**
 * A ClickHouse connection that speaks the same SQL whether it reaches a server (`url`) or the
 * embedded engine (chdb, data under `dataDir`).
 *
 * Table names must be qualified with `database`: the embedded engine ignores the client's
 * default-database setting, and against a server the database may not exist yet when migrations
 * start.
 */
export interface ClickHouse {
  readonly client: ClickHouseClient;
  readonly database: string;
  readonly mode: 'server' | 'embedded';
  /** Where the data lives: the server URL without credentials, or the embedded data directory. */
  readonly location: string;
  /** Resolves when ClickHouse answers a query within `timeoutMs`; throws CLICKHOUSE_UNREACHABLE otherwise. */
  ping(timeoutMs?: number): Promise<void>;
  /**
   * Runs `work` on a session of its own, with settings fixed for that session, and ends the session
   * after. See ClickHouseSessionOptions for why sessions, not per-query settings.
   */
  withSession<T>(options: ClickHouseSessionOptions, work: (client: ClickHouseClient) => Promise<T>): Promise<T>;
  /** Releases the connection; for the embedded engine, also frees the process's data-directory slot. */
  close(): Promise<void>;
}

/**
 * A session with its own settings. With the embedded engine they are SET once when the session
 * opens: chdb turns per-query `clickhouse_settings` into `SET` statements that outlive the query on
 * the connection's session (a per-query `readonly: 1` would leave the whole connection read-only),
 * queries on one session run one at a time, and a query that fails while streaming leaves its
 * partial output on the session, where it is prepended to the next query's result. A session per
 * unit of work avoids all three. Against a server the settings travel with every request.
 */
export interface ClickHouseSessionOptions {
  /** Database that unqualified table names resolve to. */
  database?: string;
  /** Settings of the session, e.g. limits (`max_execution_time`, `max_result_rows`). */
  settings?: Readonly<Record<string, string | number>>;
  /**
   * `readonly = 1`, applied after `settings`: the session can neither write nor change a setting,
   * so queries cannot lift the limits (a query's own SETTINGS clause is refused).
   */
  readOnly?: boolean;
  /** Server only: how long a request may take (default: max_execution_time plus 10 s, at least 30 s). */
  requestTimeoutMs?: number;
}

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

/** Where ClickHouse is (structurally the `ClickHouseConfig` of @cdp/config). */
export interface ClickHouseConfig {
  /** A server, `http[s]://[user:password@]host:port`; unset means the embedded engine. */
  url?: string | undefined;
  /** The embedded engine's data directory, resolved against the working directory. */
  dataDir: string;
  database: string;
}

export interface CreateClickHouseOptions {
  /** Name reported to a server in its query log. */
  application?: string;
  /** Directory the embedded engine would read a `config.xml` from (the process's working directory). */
  cwd?: string;
}

export async function createClickHouse(config: ClickHouseConfig, options: CreateClickHouseOptions = {}): Promise<ClickHouse> {
  return config.url ? connectServer(config.url, config.database, options) : openEmbedded(config, options);
}

function connectServer(url: string, database: string, options: CreateClickHouseOptions): ClickHouse {
  const client = createClient({ url, application: options.application, request_timeout: 30_000 });
  const location = new URL(url);
  location.username = '';
  location.password = '';
  const openSession = async (session: ClickHouseSessionOptions): Promise<ClickHouseClient> => {
    const settings: Record<string, string | number> = { ...session.settings };
    if (session.readOnly) settings.readonly = 1;
    const executionSeconds = Number(settings.max_execution_time ?? 0);
    return createClient({
      url,
      application: options.application,
      database: session.database,
      request_timeout: session.requestTimeoutMs ?? Math.max(30_000, executionSeconds * 1000 + 10_000),
      // The server checks these against the user's own profile and applies them together, so
      // readonly=1 arrives with the limits it protects.
      clickhouse_settings: settings as ClickHouseSettings,
    });
  };
  return wrap(client, database, 'server', location.toString(), openSession);
}

/**
 * The embedded engine is a process-wide singleton: a process can have ONE data directory open at
 * a time (opening the same directory again shares the engine; opening a different one while the
 * first is open fails with "only one active data directory per process"; after every connection
 * to the first is closed, another directory can be opened). ClickHouse also locks the directory
 * against other processes, so only the service that owns it (analytics) may open it.
 */
async function openEmbedded(config: ClickHouseConfig, options: CreateClickHouseOptions): Promise<ClickHouse> {
  const cwd = options.cwd ?? process.cwd();
  // Like clickhouse-local, the engine reads ./config.xml when one exists, and a <path> in it
  // silently replaces the data directory asked for. Refuse rather than write somewhere else.
  if (existsSync(join(cwd, 'config.xml'))) {
    throw new ClickHouseError(
      'CLICKHOUSE_CWD_CONFIG',
      `refusing to open embedded ClickHouse: ${join(cwd, 'config.xml')} would override its configuration; ` +
        'start the process from another directory or remove that file',
    );
  }
  const dataDir = resolve(cwd, config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const { createChdbConnection } = await import('chdb/connection');
  // chdb types its connection against @clickhouse/client-common, whose ClickHouseSettings differ
  // in minor details from the copy bundled in @clickhouse/client; the runtime contract is the same.
  const connection = createChdbConnection({ path: dataDir }) as unknown as ClientConnection;
  const client = createClient({ connection });
  const openSession = async (session: ClickHouseSessionOptions): Promise<ClickHouseClient> => {
    // Another session on the engine this process already has open on dataDir.
    const own = createClient({ connection: createChdbConnection({ path: dataDir }) as unknown as ClientConnection });
    try {
      for (const statement of sessionStatements(session)) await own.command({ query: statement });
    } catch (error) {
      await own.close();
      throw error;
    }
    return own;
  };
  const clickhouse = wrap(client, config.database, 'embedded', dataDir, openSession, async () => {
    const { drainPending } = await import('chdb');
    // close() returns before the engine lets go while a query is still running on it; wait, so
    // that another data directory can be opened afterwards.
    await drainPending();
  });
  try {
    const rows = await query<{ path: string }>(client, "SELECT value AS path FROM system.server_settings WHERE name = 'path'");
    const actual = rows[0]?.path.replace(/\/+$/, '');
    if (actual !== undefined && actual !== dataDir) {
      throw new ClickHouseError(
        'CLICKHOUSE_DATA_PATH_MISMATCH',
        `embedded ClickHouse opened ${actual} instead of ${dataDir} (a configuration file overrides the path)`,
      );
    }
  } catch (error) {
    await clickhouse.close();
    throw error;
  }
  return clickhouse;
}

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `USE`, then each setting, then readonly: once readonly is set, nothing else could be. */
export function sessionStatements(session: ClickHouseSessionOptions): string[] {
  const statements: string[] = [];
  if (session.database !== undefined) {
    if (!SETTING_NAME.test(session.database)) {
      throw new ClickHouseError('CLICKHOUSE_SESSION_INVALID', `"${session.database}" is not a valid ClickHouse database name`);
    }
    statements.push(`USE ${session.database}`);
  }
  for (const [name, value] of Object.entries(session.settings ?? {})) {
    if (!SETTING_NAME.test(name)) throw new ClickHouseError('CLICKHOUSE_SESSION_INVALID', `"${name}" is not a valid setting name`);
    if (name === 'readonly') throw new ClickHouseError('CLICKHOUSE_SESSION_INVALID', 'set readonly through the readOnly option');
    const literal = typeof value === 'number' ? String(value) : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    statements.push(`SET ${name} = ${literal}`);
  }
  if (session.readOnly) statements.push('SET readonly = 1');
  return statements;
}

function wrap(
  client: ClickHouseClient,
  database: string,
  mode: ClickHouse['mode'],
  location: string,
  openSession: (options: ClickHouseSessionOptions) => Promise<ClickHouseClient>,
  afterClose?: () => Promise<void>,
): ClickHouse {
  let closed = false;
  return {
    client,
    database,
    mode,
    location,
    async withSession(options, work) {
      if (closed) throw new ClickHouseError('CLICKHOUSE_UNREACHABLE', `ClickHouse (${mode}, ${location}) is closed`);
      const session = await openSession(options);
      try {
        return await work(session);
      } finally {
        await session.close();
      }
    },
    async ping(timeoutMs = 2_000) {
      try {
        await query(client, 'SELECT 1 AS ok', AbortSignal.timeout(timeoutMs));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ClickHouseError('CLICKHOUSE_UNREACHABLE', `ClickHouse (${mode}, ${location}) did not answer: ${reason}`, {
          cause: error,
        });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
      await afterClose?.();
    },
  };
}

async function query<T>(client: ClickHouseClient, sql: string, signal?: AbortSignal): Promise<T[]> {
  const result = await client.query({ query: sql, format: 'JSONEachRow', abort_signal: signal });
  return result.json<T>();
}
