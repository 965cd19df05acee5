import { quoteIdent, type SqlExecutor } from '../sql';
import type { KeyRing } from './key-ring';

export interface RotationOptions {
  /** Data keys rewrapped per statement pair (default 500). */
  batchSize?: number;
  /** Awaited after each batch, e.g. to log progress or to pause between batches. */
  onBatch?: (progress: RotationProgress) => void | Promise<void>;
}

export interface RotationProgress {
  /** Data keys now wrapped under the active master key by this run. */
  rewrapped: number;
  /** Keys that changed between read and write (shredded, or rewrapped by a concurrent run) and were left alone. */
  skipped: number;
  batches: number;
}

/**
 * Rewraps every data key not under the ring's active master key, in batches that each commit on
 * their own (pass a non-transactional executor: a DataSource, or a pool), so the service keeps
 * serving throughout: readers accept any key id the ring holds. The plaintext data keys do not
 * change, so nothing encrypted with them is touched.
 *
 * Each row is written only if it still holds the blob that was read: a key shredded and created
 * anew meanwhile is never overwritten with the old one. Batches walk the primary key, so rows
 * that could not be written are not read again; run it again to pick up keys created under an
 * old master key by an instance that had not been given the new ring yet.
 */
export async function rotateMasterKey(executor: SqlExecutor, schema: string, keyRing: KeyRing, options: RotationOptions = {}): Promise<RotationProgress> {
  const table = `${quoteIdent(schema)}.data_keys`;
  const batchSize = options.batchSize ?? 500;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const progress: RotationProgress = { rewrapped: 0, skipped: 0, batches: 0 };
  let after = '';
  for (;;) {
    const rows = await executor.query<{ subject_id: string; key_id: string; wrapped: Buffer }>(
      `SELECT subject_id, key_id, wrapped FROM ${table} WHERE key_id <> $1 AND subject_id > $2 ORDER BY subject_id LIMIT $3`,
      [keyRing.activeKeyId, after, batchSize],
    );
    if (rows.length === 0) return progress;
    after = rows[rows.length - 1]!.subject_id;
    const rewrapped = rows.map((row) => ({ row, next: keyRing.rewrap({ keyId: row.key_id, blob: row.wrapped }) }));
    const [{ n }] = (await executor.query<{ n: number }>(
      `WITH upd AS (
         UPDATE ${table} AS d SET key_id = v.new_key_id, wrapped = v.new_wrapped, rotated_at = now()
         FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[], $5::bytea[]) AS v(subject_id, old_key_id, old_wrapped, new_key_id, new_wrapped)
         WHERE d.subject_id = v.subject_id AND d.key_id = v.old_key_id AND d.wrapped = v.old_wrapped
         RETURNING 1
       ) SELECT count(*)::int AS n FROM upd`,
      [
        rewrapped.map((r) => r.row.subject_id),
        rewrapped.map((r) => r.row.key_id),
        rewrapped.map((r) => r.row.wrapped),
        rewrapped.map((r) => r.next.keyId),
        rewrapped.map((r) => r.next.blob),
      ],
    )) as [{ n: number }];
    progress.rewrapped += n;
    progress.skipped += rows.length - n;
    progress.batches += 1;
    await options.onBatch?.({ ...progress });
  }
}
