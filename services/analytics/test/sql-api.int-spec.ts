import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TOPICS } from '@cdp/contracts';
import { testDataDir } from '@cdp/testing';
import { type AnalyticsHarness, resolvedRecords, SETUP_TIMEOUT_MS, startAnalytics } from './support/analytics-harness';
import { orderCompleted, product } from './support/resolved-events';

interface Problem {
  status: number;
  code: string;
  detail: string;
  refused?: string;
  clickhouse?: { code: number; type: string };
}

describe('POST /v1/sql', () => {
  let h: AnalyticsHarness;
  beforeAll(async () => {
    h = await startAnalytics('analytics-sql', { ANALYTICS_SQL_MAX_RESULT_ROWS: '50', ANALYTICS_SQL_MAX_EXECUTION_SECONDS: '2' });
    const orders = [1, 2, 3].map((n) =>
      orderCompleted({ profileId: `sql-${n % 2}`, occurredAt: Date.UTC(2026, 1, n), orderId: `o-${n}`, revenue: n * 10, products: [product({ price: n * 10 })] }),
    );
    await h.produce(TOPICS.identityResolvedEvents, resolvedRecords(orders));
    await h.waitUntilConsumed(TOPICS.identityResolvedEvents);
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  const post = (body: unknown, authorization?: string | null) => h.api('POST', '/v1/sql', body, authorization);
  const refusal = async (sql: string): Promise<Problem> => {
    const res = await post({ sql });
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    return { ...((await res.json()) as Problem), status: res.status };
  };

  it('answers a SELECT with its columns, their types and the rows, as JSON', async () => {
    const res = await post({ sql: 'SELECT profile_id, count() AS orders, sum(revenue) AS revenue FROM customer_events GROUP BY profile_id ORDER BY profile_id' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { columns: unknown; rows: unknown; rowCount: number };
    expect(body.columns).toEqual([
      { name: 'profile_id', type: 'String' },
      { name: 'orders', type: 'UInt64' },
      { name: 'revenue', type: 'Nullable(Decimal(38, 4))' },
    ]);
    // 64-bit integers as strings: JavaScript numbers would lose precision past 2^53.
    expect(body.rows).toEqual([
      { profile_id: 'sql-0', orders: '1', revenue: 20 },
      { profile_id: 'sql-1', orders: '2', revenue: 40 },
    ]);
    expect(body.rowCount).toBe(2);
  });

  it('answers as CSV with a header row', async () => {
    const res = await post({ sql: 'SELECT order_id, revenue FROM customer_events ORDER BY order_id', format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await res.text()).toBe('"order_id","revenue"\n"o-1",10\n"o-2",20\n"o-3",30\n');
  });

  it('binds query parameters', async () => {
    const res = await post({ sql: 'SELECT order_id FROM customer_events WHERE revenue > {min:Decimal(18, 4)} ORDER BY order_id', params: { min: 15 } });
    expect(((await res.json()) as { rows: unknown }).rows).toEqual([{ order_id: 'o-2' }, { order_id: 'o-3' }]);
  });

  it.each([
    ["INSERT INTO events (event_id) VALUES ('x')", 'SQL_WRITE_REFUSED', 'INSERT'],
    ["ALTER TABLE events DELETE WHERE profile_id = 'sql-1'", 'SQL_DDL_REFUSED', 'ALTER'],
    ['DROP TABLE events', 'SQL_DDL_REFUSED', 'DROP'],
    ['CREATE TABLE stolen ENGINE = Memory AS SELECT * FROM events', 'SQL_DDL_REFUSED', 'CREATE'],
    ['TRUNCATE TABLE events', 'SQL_WRITE_REFUSED', 'TRUNCATE'],
    ['SET readonly = 0', 'SQL_STATEMENT_REFUSED', 'SET'],
  ])('refuses %s naming the reason', async (sql, code, refused) => {
    expect(await refusal(sql)).toMatchObject({ status: 403, code, refused });
  });

  it('refuses system tables and other databases, however they are reached', async () => {
    for (const [sql, refused] of [
      ['SELECT * FROM system.tables', 'system.tables'],
      ["SELECT count() FROM customer_events WHERE profile_id IN (SELECT name FROM system.users)", 'system.users'],
      ['WITH t AS (SELECT * FROM INFORMATION_SCHEMA.TABLES) SELECT * FROM t', 'INFORMATION_SCHEMA.TABLES'],
      ['SELECT table_name FROM information_schema.columns', 'information_schema.columns'],
    ]) {
      expect({ sql, ...(await refusal(sql!)) }).toMatchObject({ sql, status: 403, code: 'SQL_TABLE_REFUSED', refused });
    }
  });

  it('refuses table functions that reach files, URLs and other servers', async () => {
    for (const [sql, refused] of [
      ["SELECT * FROM file('/etc/passwd', 'LineAsString')", 'file'],
      ["SELECT * FROM url('http://127.0.0.1:9/x', 'CSV', 'a String')", 'url'],
      ["SELECT * FROM remote('127.0.0.1', system.one)", 'remote'],
      ['SELECT count() FROM customer_events WHERE profile_id IN (SELECT * FROM merge(system, \'.*\'))', 'merge'],
    ]) {
      expect({ sql, ...(await refusal(sql!)) }).toMatchObject({ sql, status: 403, code: 'SQL_TABLE_FUNCTION_REFUSED', refused });
    }
  });

  it('refuses functions that read files or dictionaries, and output to files', async () => {
    expect(await refusal("SELECT file('/etc/hostname')")).toMatchObject({ status: 403, code: 'SQL_FUNCTION_REFUSED', refused: 'file' });
    expect(await refusal("SELECT dictGet('system.x', 'y', 1)")).toMatchObject({ status: 403, code: 'SQL_FUNCTION_REFUSED', refused: 'dictGet' });
    const outfile = join(testDataDir('outfile'), 'stolen.csv');
    expect(await refusal(`SELECT * FROM customer_events INTO OUTFILE '${outfile}'`)).toMatchObject({ status: 403, code: 'SQL_OUTPUT_REFUSED' });
    expect(await refusal(`SELECT * FROM customer_events INTO OUTFILE '${outfile}' FORMAT CSV`)).toMatchObject({ status: 403, code: 'SQL_OUTPUT_REFUSED' });
    expect(existsSync(outfile)).toBe(false);
    expect(await refusal('SELECT 1 FORMAT CSV')).toMatchObject({ status: 403, code: 'SQL_OUTPUT_REFUSED', refused: 'FORMAT' });
  });

  it('refuses a second statement behind the first', async () => {
    expect(await refusal('SELECT 1; DROP TABLE events')).toMatchObject({ status: 400, code: 'SQL_MULTIPLE_STATEMENTS' });
    expect((await h.rows<{ n: string }>(`SELECT toString(count()) AS n FROM ${h.config.clickhouse.database}.events`))[0]!.n).not.toBe('0');
  });

  it("answers ClickHouse's own errors with 400 and ClickHouse's message", async () => {
    expect(await refusal('SELECT no_such_column FROM customer_events')).toMatchObject({
      status: 400,
      code: 'CLICKHOUSE_ERROR',
      detail: expect.stringMatching(/no_such_column/),
      clickhouse: { code: 47, type: 'UNKNOWN_IDENTIFIER' },
    });
    expect(await refusal('SELEC 1')).toMatchObject({ status: 400, code: 'CLICKHOUSE_ERROR', detail: expect.stringMatching(/Syntax error/), clickhouse: { code: 62, type: 'SYNTAX_ERROR' } });
  });

  it('stops queries at the configured limits', async () => {
    expect(await refusal('SELECT number FROM numbers(1000)')).toMatchObject({ status: 400, code: 'CLICKHOUSE_ERROR', detail: expect.stringMatching(/Limit for result exceeded/) });
    expect(await refusal('SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 0')).toMatchObject({
      status: 400,
      detail: expect.stringMatching(/Timeout exceeded/),
    });
    // A query cannot lift a limit with a SETTINGS clause of its own.
    expect(await refusal('SELECT number FROM numbers(1000) SETTINGS max_result_rows = 0')).toMatchObject({ status: 400, detail: expect.stringMatching(/readonly/i) });
  });

  it('leaves the sink writing after analysts ran into limits and refusals', async () => {
    await h.produce(TOPICS.identityResolvedEvents, resolvedRecords([orderCompleted({ profileId: 'sql-after', occurredAt: Date.UTC(2026, 1, 9), orderId: 'o-9', revenue: 9, products: [] })]));
    await h.waitUntilConsumed(TOPICS.identityResolvedEvents);
    const res = await post({ sql: "SELECT order_id FROM customer_events WHERE profile_id = 'sql-after'" });
    expect(((await res.json()) as { rows: unknown }).rows).toEqual([{ order_id: 'o-9' }]);
  });

  it('asks for the API token', async () => {
    const missing = await post({ sql: 'SELECT 1' }, null);
    expect([missing.status, missing.headers.get('www-authenticate')]).toEqual([401, 'Bearer']);
    expect(((await missing.json()) as Problem).code).toBe('API_TOKEN_MISSING');
    expect((await post({ sql: 'SELECT 1' }, 'Bearer not-the-token')).status).toBe(401);
  });

  it('refuses a malformed request', async () => {
    expect((await post({ query: 'SELECT 1' })).status).toBe(400);
    expect((await post({ sql: 'SELECT 1', format: 'xml' })).status).toBe(400);
    expect(((await (await post({ sql: 'SELECT 1', params: { 'a b': 1 } })).json()) as Problem).code).toBe('INVALID_REQUEST');
  });
});
