import { LRUCache } from 'lru-cache';
import { SecurityError } from '../security.error';
import { quoteIdent, type SqlExecutor } from '../sql';
import type { KeyRing } from './key-ring';

export interface DataKeyCacheOptions {
  /** Unwrapped keys held at most (default 10,000: about 1 MB). 0 disables the cache. */
  max?: number;
  /** How long an unwrapped key is trusted without reading its row again (default 30 s). */
  ttlMs?: number;
}

export interface DataKeyStoreOptions {
  /** The service's own Postgres schema, where securityTablesDdl created `data_keys`. */
  schema: string;
  keyRing: KeyRing;
  cache?: DataKeyCacheOptions;
}

interface KeyRow {
  subject_id: string;
  key_id: string;
  wrapped: Buffer;
  /** The row was written by the calling transaction, which may still roll back. */
  uncommitted: boolean;
}

/**
 * Per-subject data keys (one per profile, typically), wrapped under the master key ring, in
 * `<schema>.data_keys`. Every method takes the caller's executor so keys are created and shredded
 * inside the caller's transaction, together with the rows they protect.
 *
 * The cache holds unwrapped keys to spare a round trip and an unwrap per read. The trade-off:
 * after another instance shreds a subject, this instance can still decrypt that subject's rows
 * for up to `ttlMs` (a shred on this instance evicts at once). Shredding deletes the protected
 * rows too, so in practice nothing is left to decrypt; a short TTL bounds the window otherwise.
 * Keys written by a transaction that has not committed are never cached: if it rolled back, a
 * cached key would encrypt data under a key that exists nowhere.
 */
export class DataKeyStore {
  private readonly table: string;
  private readonly keyRing: KeyRing;
  private readonly cache: LRUCache<string, Buffer> | undefined;

  constructor(options: DataKeyStoreOptions) {
    this.table = `${quoteIdent(options.schema)}.data_keys`;
    this.keyRing = options.keyRing;
    const max = options.cache?.max ?? 10_000;
    this.cache = max > 0 ? new LRUCache<string, Buffer>({ max, ttl: options.cache?.ttlMs ?? 30_000 }) : undefined;
  }

  /**
   * The data key of every subject, creating the missing ones: one SELECT, one multi-row INSERT
   * ... ON CONFLICT DO NOTHING, and a re-read of the keys a concurrent transaction created first,
   * so concurrent callers agree on one key per subject.
   */
  async getOrCreate(tx: SqlExecutor, subjectIds: readonly string[]): Promise<Map<string, Buffer>> {
    const { found, missing } = await this.lookup(tx, subjectIds);
    if (missing.length === 0) return found;

    const created = new Map<string, { key: Buffer; wrappedBlob: Buffer; keyId: string }>();
    for (const subjectId of missing) {
      const { key, wrapped } = this.keyRing.generateDataKey();
      created.set(subjectId, { key, wrappedBlob: wrapped.blob, keyId: wrapped.keyId });
    }
    const inserted = await tx.query<{ subject_id: string }>(
      `WITH ins AS (
         INSERT INTO ${this.table} (subject_id, key_id, wrapped)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])
         ON CONFLICT (subject_id) DO NOTHING
         RETURNING subject_id
       ) SELECT subject_id FROM ins`,
      [missing, missing.map((id) => created.get(id)!.keyId), missing.map((id) => created.get(id)!.wrappedBlob)],
    );
    const ours = new Set(inserted.map((r) => r.subject_id));
    for (const subjectId of ours) found.set(subjectId, created.get(subjectId)!.key);

    const lost = missing.filter((id) => !ours.has(id));
    if (lost.length > 0) {
      // Another transaction inserted these first and has committed (ON CONFLICT waited for it).
      const rows = await this.select(tx, lost);
      for (const row of rows) found.set(row.subject_id, this.unwrapRow(row));
      const stillMissing = lost.filter((id) => !found.has(id));
      if (stillMissing.length > 0) {
        // Only under REPEATABLE READ/SERIALIZABLE, whose snapshot hides the winner's row: run the transaction again.
        throw new SecurityError('DATA_KEY_CONFLICT', `data keys of ${stillMissing.length} subject(s) were created concurrently and are not visible to this transaction; retry it`, 503);
      }
    }
    return found;
  }

  /** The data keys that exist; a subject without one (never created, or shredded) is absent from the map. */
  async get(tx: SqlExecutor, subjectIds: readonly string[]): Promise<Map<string, Buffer>> {
    return (await this.lookup(tx, subjectIds)).found;
  }

  /**
   * Crypto-shredding: deletes the subject's data key, so every ciphertext under it is unreadable
   * for good once the transaction commits. True when there was a key to delete.
   */
  async shred(tx: SqlExecutor, subjectId: string): Promise<boolean> {
    // Evicted before and after: a concurrent read on this instance may cache the key in between.
    this.cache?.delete(subjectId);
    const rows = await tx.query<{ n: number }>(
      `WITH del AS (DELETE FROM ${this.table} WHERE subject_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM del`,
      [subjectId],
    );
    this.cache?.delete(subjectId);
    return (rows[0]?.n ?? 0) > 0;
  }

  /** Forgets every cached key (e.g. after an operator restored data_keys from a backup). */
  clearCache(): void {
    this.cache?.clear();
  }

  private async lookup(tx: SqlExecutor, subjectIds: readonly string[]): Promise<{ found: Map<string, Buffer>; missing: string[] }> {
    const found = new Map<string, Buffer>();
    const uncached: string[] = [];
    for (const subjectId of new Set(subjectIds)) {
      const cached = this.cache?.get(subjectId);
      if (cached) found.set(subjectId, cached);
      else uncached.push(subjectId);
    }
    if (uncached.length === 0) return { found, missing: [] };
    for (const row of await this.select(tx, uncached)) {
      const key = this.unwrapRow(row);
      found.set(row.subject_id, key);
      if (!row.uncommitted) this.cache?.set(row.subject_id, key);
    }
    return { found, missing: uncached.filter((id) => !found.has(id)) };
  }

  private select(tx: SqlExecutor, subjectIds: readonly string[]): Promise<KeyRow[]> {
    // created_at defaults to now(), the start of the inserting transaction: a row stamped with this
    // transaction's now() is (almost surely) its own and may yet roll back. A row of another
    // transaction that started in the same microsecond is merely not cached.
    return tx.query<KeyRow>(
      `SELECT subject_id, key_id, wrapped, created_at = now() AS uncommitted FROM ${this.table} WHERE subject_id = ANY($1::text[])`,
      [subjectIds],
    );
  }

  private unwrapRow(row: KeyRow): Buffer {
    return this.keyRing.unwrap({ keyId: row.key_id, blob: row.wrapped });
  }
}
