import { consumptionOrder } from './account';
import type { Draft } from './draft';
import { expiryOf } from './earning';
import type { Allocation, Cause, RefundPolicy } from './events';
import type { RoundingMode } from './money';
import { heldTier, lastReviewBoundary, qualifiedTier } from './tiers';

export interface CreditPlan {
  id: string;
  profileId: string;
  points: number;
  cause: Cause;
  /** Null: credited active at once. */
  activatesAt: number | null;
  qualifying: boolean;
  refundPolicy: RefundPolicy;
  rounding: RoundingMode;
}

/** Emits a credit: PointsPending while a return window runs, else PointsEarned. Expiry counts from when the points become spendable. */
export function credit(draft: Draft, plan: CreditPlan, occurredAt: number): void {
  const { programme } = draft;
  const expiresAt = expiryOf(programme.expiry, plan.activatesAt ?? occurredAt, programme.timeZone);
  const data = { points: plan.points, cause: plan.cause, expiresAt, qualifying: plan.qualifying, refundPolicy: plan.refundPolicy, rounding: plan.rounding };
  if (plan.activatesAt !== null) draft.emit('PointsPending', plan.profileId, occurredAt, { ...data, activatesAt: plan.activatesAt }, plan.id);
  else draft.emit('PointsEarned', plan.profileId, occurredAt, data, plan.id);
}

/** Upgrades happen at once: when the qualifying value at `at` reaches a higher level than the one held. */
export function upgradeIfQualified(draft: Draft, profileId: string, at: number, reason: 'qualified' | 'merge' | 'split'): void {
  const account = draft.account(profileId);
  const qualified = qualifiedTier(account, draft.programme, at);
  const held = heldTier(account, draft.programme) ?? qualified;
  if (!qualified || !held || qualified.rank <= held.rank) return;
  draft.emit('TierChanged', profileId, at, { from: held.level.id, to: qualified.level.id, direction: 'up', reason, effectiveAt: at, heldSince: at });
}

/**
 * Downgrades happen only at the end of a review period: at the latest period start b <= now, a
 * member who has held the tier since before b drops to the higher of the levels qualified for at b
 * and at now (never below what they qualify for today). Idempotent: the change is dated b.
 */
export function reviewTier(draft: Draft, profileId: string, now: number): void {
  const account = draft.account(profileId);
  const held = heldTier(account, draft.programme);
  const boundary = lastReviewBoundary(draft.programme, now);
  if (!held || held.rank === 0 || boundary === null || account.tier.since === null || account.tier.since >= boundary) return;
  const atBoundary = qualifiedTier(account, draft.programme, boundary);
  const atNow = qualifiedTier(account, draft.programme, now);
  if (!atBoundary || !atNow) return;
  const target = atBoundary.rank >= atNow.rank ? atBoundary : atNow;
  if (target.rank >= held.rank) return;
  draft.emit('TierChanged', profileId, boundary, { from: held.level.id, to: target.level.id, direction: 'down', reason: 'review', effectiveAt: boundary, heldSince: boundary });
}

/**
 * Brings an account's points up to `at`: pending lots whose return window closed activate, then
 * active lots past their expiry expire (oldest expiry first, one entry per expiry instant). Entries
 * are dated when they became due, so a late run writes the same history as a punctual one.
 */
export function catchUp(draft: Draft, profileId: string, at: number): void {
  const account = draft.account(profileId);
  if (account.status.kind !== 'open') return;
  for (const lot of consumptionOrder(Object.values(account.lots))) {
    // A pending lot a refund emptied has nothing to activate; it stays behind as a record.
    if (lot.status !== 'pending' || lot.remaining <= 0 || lot.activatesAt === null || lot.activatesAt > at) continue;
    draft.emit('PointsActivated', profileId, lot.activatesAt, { lotId: lot.id, points: lot.remaining, cause: { kind: 'activation', lotId: lot.id }, expiresAt: lot.expiresAt });
  }
  const due = new Map<number, Allocation[]>();
  for (const lot of consumptionOrder(Object.values(draft.account(profileId).lots))) {
    if (lot.status !== 'active' || lot.remaining <= 0 || lot.expiresAt === null || lot.expiresAt > at) continue;
    const list = due.get(lot.expiresAt) ?? [];
    list.push({ lotId: lot.id, points: lot.remaining, status: 'active' });
    due.set(lot.expiresAt, list);
  }
  for (const expiresAt of [...due.keys()].sort((a, b) => a - b)) {
    const allocations = due.get(expiresAt) ?? [];
    draft.emit('PointsExpired', profileId, expiresAt, { points: allocations.reduce((s, a) => s + a.points, 0), cause: { kind: 'expiry', expiresAt }, allocations });
  }
}
