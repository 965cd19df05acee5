import { Injectable } from '@nestjs/common';
import type { SqlExecutor } from '@cdp/kafka';

/**
 * Coupon code pools. A redemption claims the first free code with FOR UPDATE SKIP LOCKED inside its
 * own transaction, so concurrent redemptions never wait on each other's code and never get the same
 * one; the claim is written only when the redemption is recorded, and a refused redemption's
 * rollback (or its lock's release) frees the code again.
 */
@Injectable()
export class CouponPoolRepository {
  async reserve(tx: SqlExecutor, programmeId: string, poolId: string): Promise<string | null> {
    const [row] = await tx.query<{ code: string }>(
      `SELECT code FROM loyalty.coupon_codes WHERE programme_id = $1 AND pool_id = $2 AND claimed_at IS NULL
       ORDER BY code LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [programmeId, poolId],
    );
    return row?.code ?? null;
  }

  async claim(tx: SqlExecutor, programmeId: string, poolId: string, code: string, profileId: string, redemptionId: string): Promise<void> {
    await tx.query(`UPDATE loyalty.coupon_codes SET claimed_at = now(), profile_id = $4, redemption_id = $5 WHERE programme_id = $1 AND pool_id = $2 AND code = $3`, [
      programmeId,
      poolId,
      code,
      profileId,
      redemptionId,
    ]);
  }

  /** Adds codes; codes already in the pool are ignored. Returns how many were new. */
  async add(tx: SqlExecutor, programmeId: string, poolId: string, codes: readonly string[], addedBy: string | null): Promise<number> {
    const rows = await tx.query<{ code: string }>(
      `INSERT INTO loyalty.coupon_codes (programme_id, pool_id, code, added_by) SELECT $1, $2, c, $4 FROM unnest($3::text[]) AS c
       ON CONFLICT DO NOTHING RETURNING code`,
      [programmeId, poolId, [...new Set(codes)], addedBy],
    );
    return rows.length;
  }

  async counts(tx: SqlExecutor, programmeId: string, poolId: string): Promise<{ available: number; claimed: number }> {
    const [row] = await tx.query<{ available: string; claimed: string }>(
      `SELECT count(*) FILTER (WHERE claimed_at IS NULL) AS available, count(*) FILTER (WHERE claimed_at IS NOT NULL) AS claimed
       FROM loyalty.coupon_codes WHERE programme_id = $1 AND pool_id = $2`,
      [programmeId, poolId],
    );
    return { available: Number(row?.available ?? 0), claimed: Number(row?.claimed ?? 0) };
  }
}
