import { activeBalance, allocateActive, type AccountState } from './account';
import type { LoyaltyCommand } from './commands';
import type { Draft } from './draft';
import { expiryOf, isTargeted, isValidAt, periodBounds } from './earning';
import { type Rejection, rejection } from './errors';
import type { Redemption, RewardGrant } from './events';
import { catchUp } from './ledger-steps';
import { type Reward, tierLevel } from './programme';
import { heldTier } from './tiers';

type RedeemReward = Extract<LoyaltyCommand, { type: 'RedeemReward' }>;
type AdjustPoints = Extract<LoyaltyCommand, { type: 'AdjustPoints' }>;

function redemptionsInPeriod(account: AccountState, reward: Reward, at: number, timeZone: string): number {
  if (!reward.limit) return 0;
  const [from, to] = periodBounds(reward.limit, at, timeZone);
  return Object.values(account.redemptions).filter((r) => r.rewardId === reward.id && r.redeemedAt >= from && r.redeemedAt < to).length;
}

/**
 * Spends active points (oldest first) on a reward, at the clock's time. Due activations and
 * expiries are applied first, so points past their expiry are never spent. The balance cannot go
 * negative: a redemption the active balance does not cover is refused. A repeated idempotency key
 * decides nothing (the first outcome stands); reusing it for another reward is refused.
 */
export function decideRedemption(draft: Draft, command: RedeemReward): Rejection | null {
  const { programme, ctx } = draft;
  const now = ctx.now;
  const resolved = draft.resolve(command.profileId);
  const previous = resolved.redemptions[command.idempotencyKey];
  if (previous) return previous.rewardId === command.rewardId ? null : rejection('IDEMPOTENCY_KEY_REUSED', `idempotency key ${command.idempotencyKey} was used for reward ${previous.rewardId}`);
  // A key used while this profile was merged into another account: the redemption stayed there.
  if (resolved.seen[`redemption:${command.idempotencyKey}`]) return null;
  const reward = programme.rewards.find((r) => r.id === command.rewardId);
  if (!reward) return rejection('UNKNOWN_REWARD', `no reward ${command.rewardId} in the catalogue`);
  if (!isValidAt(reward, now)) return rejection('REWARD_NOT_AVAILABLE', `reward ${reward.id} is not available now`);
  if (reward.minimumTier != null) {
    const needed = tierLevel(programme, reward.minimumTier);
    const held = heldTier(resolved, programme);
    if (needed && (held?.rank ?? 0) < needed.rank) return rejection('TIER_TOO_LOW', `reward ${reward.id} needs tier ${reward.minimumTier}`);
  }
  if (!isTargeted(reward.targeting, resolved, programme, ctx.lookups)) return rejection('NOT_TARGETED', `reward ${reward.id} is not offered to this member`);
  if (reward.limit && redemptionsInPeriod(resolved, reward, now, programme.timeZone) >= reward.limit.count) return rejection('LIMIT_REACHED', `reward ${reward.id} was redeemed ${reward.limit.count} times this ${reward.limit.period}`);

  catchUp(draft, resolved.profileId, now);
  const account = draft.account(resolved.profileId);
  const balance = activeBalance(account);
  if (balance < reward.cost) return rejection('INSUFFICIENT_POINTS', `reward ${reward.id} costs ${reward.cost}; the active balance is ${balance}`);

  let grant: RewardGrant;
  const g = reward.grant;
  if (g.kind === 'coupon') {
    if (g.codes.source === 'pool') {
      if (!command.reservedCode) return rejection('COUPON_POOL_EMPTY', `coupon pool ${g.codes.poolId} has no code left`);
      grant = { kind: 'coupon', code: command.reservedCode };
    } else {
      grant = { kind: 'coupon', code: `${g.codes.prefix}${ctx.newCode()}` };
    }
  } else if (g.kind === 'discount') {
    grant = { kind: 'discount', code: `${g.prefix}${ctx.newCode()}`, amountOff: g.amountOff, percentOff: g.percentOff, currency: programme.currency };
  } else {
    grant = { kind: 'gift', sku: g.sku };
  }
  const redemptionId = ctx.newId();
  const redemption: Redemption = { redemptionId, idempotencyKey: command.idempotencyKey, rewardId: reward.id, cost: reward.cost, grant, redeemedAt: now };
  const allocations = allocateActive(account, reward.cost);
  draft.emit(
    'PointsRedeemed',
    account.profileId,
    now,
    { points: reward.cost, cause: { kind: 'redemption', redemptionId, idempotencyKey: command.idempotencyKey, rewardId: reward.id }, allocations, redemption },
    redemptionId,
  );
  return null;
}

/**
 * An operator's correction, audited with actor and reason. A credit is a new active lot that
 * expires like any other and counts toward no tier; a debit takes active points oldest first and is
 * refused beyond the active balance. The adjustment id makes a retried request a no-op.
 */
export function decideAdjustment(draft: Draft, command: AdjustPoints): Rejection | null {
  const { programme, ctx } = draft;
  const now = ctx.now;
  if (!Number.isSafeInteger(command.points) || command.points === 0) return rejection('INVALID_COMMAND', 'an adjustment is a non-zero integer number of points');
  if (!command.reason?.trim()) return rejection('REASON_REQUIRED', 'an adjustment needs a reason');
  if (!command.actor?.trim()) return rejection('ACTOR_REQUIRED', 'an adjustment needs the operator who made it');
  if (!command.adjustmentId?.trim()) return rejection('INVALID_COMMAND', 'an adjustment needs an id');
  const resolved = draft.resolve(command.profileId);
  if (resolved.seen[`adjustment:${command.adjustmentId}`]) return null;
  catchUp(draft, resolved.profileId, now);
  const account = draft.account(resolved.profileId);
  const cause = { kind: 'manual', adjustmentId: command.adjustmentId, actor: command.actor.trim(), reason: command.reason.trim() } as const;
  if (command.points > 0) {
    draft.emit('PointsAdjusted', account.profileId, now, { points: command.points, cause, allocations: [], expiresAt: expiryOf(programme.expiry, now, programme.timeZone) });
    return null;
  }
  const balance = activeBalance(account);
  if (balance < -command.points) return rejection('INSUFFICIENT_POINTS', `cannot take ${-command.points} points; the active balance is ${balance}`);
  draft.emit('PointsAdjusted', account.profileId, now, { points: command.points, cause, allocations: allocateActive(account, -command.points), expiresAt: null });
  return null;
}
