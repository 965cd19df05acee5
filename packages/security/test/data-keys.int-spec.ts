import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { pgTransactionRunner, type TransactionRunner } from '@cdp/kafka';
import { createTestDatabase, type TestDatabase } from '@cdp/testing';
import { DataKeyStore, decryptField, encryptField, ensureSecurityTables, KeyRing, rotateMasterKey, type SqlExecutor } from '../src';

const SCHEMA = 'security_it';
const TIMEOUT_MS = 60_000;

describe('data keys in Postgres', () => {
  let db: TestDatabase;
  let pool: Pool;
  let inTx: TransactionRunner;
  const autocommit: SqlExecutor = { query: async <R>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as R[] };
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const ringV1 = KeyRing.fromConfig({ activeKeyId: 'k1', keys: { k1 } });

  beforeAll(async () => {
    db = await createTestDatabase('security-keys');
    pool = new Pool({ connectionString: db.url, max: 10 });
    await ensureSecurityTables(pool, SCHEMA);
    inTx = pgTransactionRunner(pool);
  }, TIMEOUT_MS);

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  }, TIMEOUT_MS);

  const subjects = (label: string, n: number) => Array.from({ length: n }, (_, i) => `${label}-${String(i).padStart(4, '0')}`);
  const count = async (where = 'true', params: unknown[] = []) =>
    (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${SCHEMA}.data_keys WHERE ${where}`, params)).rows[0]!.n;

  it('creates one key per subject in bulk, and concurrent callers on several instances agree on it', async () => {
    const ids = subjects('concurrent', 200);
    // Eight instances (own caches) asking for overlapping slices at the same time.
    const stores = Array.from({ length: 8 }, () => new DataKeyStore({ schema: SCHEMA, keyRing: ringV1 }));
    const results = await Promise.all(stores.map((store, i) => inTx((tx) => store.getOrCreate(tx, ids.slice(i * 10, i * 10 + 120)))));

    expect(await count('subject_id LIKE $1', ['concurrent-%'])).toBe(190);
    const agreed = new Map<string, string>();
    for (const result of results) {
      for (const [id, key] of result) {
        const hex = key.toString('hex');
        expect({ id, key: agreed.get(id) ?? hex }).toEqual({ id, key: hex });
        agreed.set(id, hex);
      }
    }
    // Asking again creates nothing and returns the same keys.
    const again = await inTx((tx) => new DataKeyStore({ schema: SCHEMA, keyRing: ringV1 }).getOrCreate(tx, ids.slice(0, 190)));
    expect([...again].every(([id, key]) => agreed.get(id) === key.toString('hex'))).toBe(true);
    expect(await count('subject_id LIKE $1', ['concurrent-%'])).toBe(190);
  }, TIMEOUT_MS);

  it('keeps no key created by a transaction that rolled back, in the table or in the cache', async () => {
    const store = new DataKeyStore({ schema: SCHEMA, keyRing: ringV1 });
    await expect(
      inTx(async (tx) => {
        await store.getOrCreate(tx, ['rolled-back']);
        await store.get(tx, ['rolled-back']);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await inTx((tx) => store.get(tx, ['rolled-back']))).size).toBe(0);
  });

  it('reports subjects without a key as absent, and stores only wrapped keys', async () => {
    const store = new DataKeyStore({ schema: SCHEMA, keyRing: ringV1 });
    const created = await inTx((tx) => store.getOrCreate(tx, ['present']));
    const found = await inTx((tx) => store.get(tx, ['present', 'never-created']));
    expect([...found.keys()]).toEqual(['present']);
    const { rows } = await pool.query<{ wrapped: Buffer; key_id: string }>(`SELECT key_id, wrapped FROM ${SCHEMA}.data_keys WHERE subject_id = 'present'`);
    expect(rows[0]!.key_id).toBe('k1');
    expect(rows[0]!.wrapped.includes(created.get('present')!)).toBe(false);
  });

  it('shreds a key: the subject\'s data no longer decrypts, on this instance at once and on a fresh one', async () => {
    const store = new DataKeyStore({ schema: SCHEMA, keyRing: ringV1 });
    const key = (await inTx((tx) => store.getOrCreate(tx, ['p-erase']))).get('p-erase')!;
    const blob = encryptField(key, 'ada@example.com', 'p-erase/email');
    expect(await inTx((tx) => store.shred(tx, 'p-erase'))).toBe(true);

    for (const reader of [store, new DataKeyStore({ schema: SCHEMA, keyRing: ringV1 })]) {
      expect((await inTx((tx) => reader.get(tx, ['p-erase']))).has('p-erase')).toBe(false);
    }
    // A new key for the same subject does not open the old data either.
    const fresh = (await inTx((tx) => store.getOrCreate(tx, ['p-erase']))).get('p-erase')!;
    expect(() => decryptField(fresh, blob, 'p-erase/email')).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
    expect(await inTx((tx) => store.shred(tx, 'nobody'))).toBe(false);
  });

  it('rotates the master key in batches; every key is rewrapped and data stays readable with the new ring alone', async () => {
    const ids = subjects('rotate', 120);
    const before = new DataKeyStore({ schema: SCHEMA, keyRing: ringV1 });
    const keys = await inTx((tx) => before.getOrCreate(tx, ids));
    const blobs = new Map(ids.map((id) => [id, encryptField(keys.get(id)!, `${id}@example.com`, `${id}/email`)]));

    const ringV2 = KeyRing.fromConfig({ activeKeyId: 'k2', keys: { k1, k2 } });
    // Serving continues during the rotation: a reader on the combined ring reads keys of both ids.
    const during = new DataKeyStore({ schema: SCHEMA, keyRing: ringV2, cache: { max: 0 } });
    const batches: number[] = [];
    const progress = await rotateMasterKey(autocommit, SCHEMA, ringV2, {
      batchSize: 25,
      onBatch: async () => {
        batches.push(batches.length);
        const read = await inTx((tx) => during.get(tx, ids));
        expect(read.size).toBe(ids.length);
      },
    });
    const total = await count();
    expect(progress.rewrapped).toBe(total);
    expect(progress.batches).toBe(Math.ceil(total / 25));
    expect(await count("key_id <> 'k2'")).toBe(0);
    expect(await count('rotated_at IS NULL')).toBe(0);

    const onlyV2 = new DataKeyStore({ schema: SCHEMA, keyRing: KeyRing.fromConfig({ activeKeyId: 'k2', keys: { k2 } }) });
    const after = await inTx((tx) => onlyV2.get(tx, ids));
    for (const id of ids) expect(decryptField(after.get(id)!, blobs.get(id)!, `${id}/email`)).toBe(`${id}@example.com`);

    // Nothing is left to do on a second run.
    expect(await rotateMasterKey(autocommit, SCHEMA, ringV2)).toEqual({ rewrapped: 0, skipped: 0, batches: 0 });
  }, TIMEOUT_MS);

  it('never overwrites a key that was shredded and created anew while a rotation read the old one', async () => {
    const ringV3 = KeyRing.fromConfig({ activeKeyId: 'k3', keys: { k2, k3: randomBytes(32) } });
    const store = new DataKeyStore({ schema: SCHEMA, keyRing: ringV3, cache: { max: 0 } });
    let replaced: Buffer | undefined;
    // The first batch is read, then (before it is written) one of its subjects is shredded and re-created.
    const racing: SqlExecutor = {
      query: async <R>(sql: string, params?: unknown[]) => {
        if (replaced === undefined && sql.includes('UPDATE')) {
          const victim = (params![0] as string[])[0]!;
          await inTx((tx) => store.shred(tx, victim));
          replaced = (await inTx((tx) => store.getOrCreate(tx, [victim]))).get(victim)!;
          (racing as { victim?: string }).victim = victim;
        }
        return autocommit.query<R>(sql, params);
      },
    };
    const progress = await rotateMasterKey(racing, SCHEMA, ringV3, { batchSize: 1000 });
    const victim = (racing as { victim?: string }).victim!;
    expect(progress.skipped).toBe(1);
    expect((await inTx((tx) => store.get(tx, [victim]))).get(victim)!.equals(replaced!)).toBe(true);
  }, TIMEOUT_MS);
});
