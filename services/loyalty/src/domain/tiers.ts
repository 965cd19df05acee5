import type { AccountState } from './account';
import { DAY_MS, startOfPeriod } from './calendar';
import { toMajorUnits, toMinorUnits } from './money';
import { type Programme, type TierLevel, type TierPolicy, tierLevel } from './programme';

/**
 * What qualifies for tiers at `at`: over the rolling window (at - windowDays, at], the points
 * credited by purchase and activity rules net of refund reversals (by when they were earned, pending
 * included), or the revenue of orders in the programme currency net of refunds (minor units).
 * Never the balance: spending points does not cost a tier.
 */
export function qualifyingValue(account: AccountState, policy: TierPolicy, at: number): number {
  const from = at - policy.windowDays * DAY_MS;
  let value = 0;
  if (policy.metric === 'points') {
    for (const lot of Object.values(account.lots)) if (lot.qualifying && lot.earnedAt > from && lot.earnedAt <= at) value += lot.credited - lot.reversalCharged;
  } else {
    for (const order of Object.values(account.orders)) if (order.countsTowardSpend && order.occurredAt > from && order.occurredAt <= at) value += order.revenueMinor - order.refundedMinor;
  }
  return value;
}

/** A level's threshold in the unit `qualifyingValue` returns. */
function thresholdOf(level: TierLevel, policy: TierPolicy, programme: Programme): number {
  return policy.metric === 'points' ? level.threshold : (toMinorUnits(level.threshold, programme.currency) ?? Infinity);
}

/** The highest level whose threshold the member's qualifying value reaches at `at` (null without tiers). */
export function qualifiedTier(account: AccountState, programme: Programme, at: number): { level: TierLevel; rank: number } | null {
  const policy = programme.tiers;
  if (!policy || policy.levels.length === 0) return null;
  const value = qualifyingValue(account, policy, at);
  let rank = 0;
  for (let i = 1; i < policy.levels.length; i += 1) if (value >= thresholdOf(policy.levels[i], policy, programme)) rank = i;
  return { level: policy.levels[rank], rank };
}

export function heldTier(account: AccountState, programme: Programme): { level: TierLevel; rank: number } | null {
  return tierLevel(programme, account.tier.current);
}

/** Start of the review period containing `at`: downgrades take effect there. */
export function lastReviewBoundary(programme: Programme, at: number): number | null {
  const policy = programme.tiers;
  return policy ? startOfPeriod(at, policy.reviewPeriod, programme.timeZone) : null;
}

export interface TierProgress {
  tier: { id: string; name: string; since: number | null };
  metric: 'points' | 'spend';
  windowDays: number;
  /** Qualifying value now: points, or spend in major units of the programme currency. */
  value: number;
  next: { id: string; name: string; threshold: number; remaining: number } | null;
}

/** The member's tier and how far the next one is, as of `now`. Null without tiers. */
export function tierProgress(account: AccountState, programme: Programme, now: number): TierProgress | null {
  const policy = programme.tiers;
  const held = heldTier(account, programme) ?? (policy ? { level: policy.levels[0], rank: 0 } : null);
  if (!policy || !held) return null;
  const raw = qualifyingValue(account, policy, now);
  const toDisplay = (v: number) => (policy.metric === 'points' ? v : toMajorUnits(v, programme.currency));
  const nextLevel = policy.levels[held.rank + 1] ?? null;
  return {
    tier: { id: held.level.id, name: held.level.name, since: account.tier.since },
    metric: policy.metric,
    windowDays: policy.windowDays,
    value: toDisplay(raw),
    next: nextLevel
      ? { id: nextLevel.id, name: nextLevel.name, threshold: nextLevel.threshold, remaining: toDisplay(Math.max(0, thresholdOf(nextLevel, policy, programme) - raw)) }
      : null,
  };
}
