import { Pool } from 'pg';
import { pgTransactionRunner } from '@cdp/kafka';
import { createTestDatabase, type TestDatabase } from '@cdp/testing';
import { AuditLog, type AuditEntryInput, ensureSecurityTables, type SqlExecutor } from '../src';

const SCHEMA = 'audit_it';
const TIMEOUT_MS = 60_000;

describe('audit log in Postgres', () => {
  let db: TestDatabase;
  let pool: Pool;
  let statements = 0;
  let failNext = 0;
  const autocommit: SqlExecutor = {
    query: async <R>(sql: string, params?: unknown[]) => {
      statements += 1;
      if (failNext > 0) {
        failNext -= 1;
        throw new Error('database went away');
      }
      return (await pool.query(sql, params)).rows as R[];
    },
  };
  const entry = (requestId: string, extra: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
    actor: { tokenId: 't-1', name: 'marketer', role: 'marketer' },
    action: 'profiles.lookup',
    resourceType: 'profile',
    resourceId: 'p-1',
    fields: ['lookup.email', 'traits.email'],
    outcome: 'success',
    client: { ip: '127.0.0.1', userAgent: 'it', requestId },
    ...extra,
  });
  const stored = async (requestIds: string[]) =>
    (await pool.query<{ request_id: string; fields: string[]; details: Record<string, unknown> }>(`SELECT request_id, fields, details FROM ${SCHEMA}.audit_log WHERE request_id = ANY($1::text[])`, [requestIds])).rows;

  beforeAll(async () => {
    db = await createTestDatabase('security-audit');
    pool = new Pool({ connectionString: db.url, max: 10 });
    await ensureSecurityTables(pool, SCHEMA);
  }, TIMEOUT_MS);

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  }, TIMEOUT_MS);

  it('writes the entries of concurrent requests together, and each caller resolves only once its own entry is committed', async () => {
    const log = new AuditLog(autocommit, SCHEMA);
    const ids = Array.from({ length: 300 }, (_, i) => `group-${i}`);
    statements = 0;
    const visibleAtResolve = await Promise.all(
      ids.map((id) => log.record(entry(id, { details: { n: id } })).then(async () => (await pool.query(`SELECT 1 FROM ${SCHEMA}.audit_log WHERE request_id = $1`, [id])).rowCount)),
    );
    expect(visibleAtResolve.every((n) => n === 1)).toBe(true);
    expect(statements).toBeLessThan(ids.length / 10);
    const rows = await stored(ids);
    expect(rows).toHaveLength(ids.length);
    expect(rows.find((r) => r.request_id === 'group-7')).toEqual({ request_id: 'group-7', fields: ['lookup.email', 'traits.email'], details: { n: 'group-7' } });
  });

  it('fails every caller of a group that could not be written, and writes the next group', async () => {
    const log = new AuditLog(autocommit, SCHEMA);
    failNext = 1;
    const first = log.record(entry('failed-0'));
    const queued = ['later-0', 'later-1'].map((id) => log.record(entry(id)));
    await expect(first).rejects.toThrow('database went away');
    await Promise.all(queued);
    expect((await stored(['failed-0', 'later-0', 'later-1'])).map((r) => r.request_id).sort()).toEqual(['later-0', 'later-1']);
  });

  it('commits an entry given a transaction with that transaction, and not if it rolls back', async () => {
    const log = new AuditLog(autocommit, SCHEMA);
    const inTx = pgTransactionRunner(pool);
    await inTx((tx) => log.record(entry('in-tx', { fields: [] }), tx));
    await expect(
      inTx(async (tx) => {
        await log.record(entry('rolled-back'), tx);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await stored(['in-tx', 'rolled-back'])).map((r) => ({ id: r.request_id, fields: r.fields }))).toEqual([{ id: 'in-tx', fields: [] }]);
  });
});
