import { type AccountState, allocateActive } from './account';
import { DAY_MS } from './calendar';
import type { LoyaltyCommand, Lookups } from './commands';
import type { Draft } from './draft';
import { type PricedOrder, priceOrder, purchasePoints, ruleApplies, ruleUses, tierMultiplierOf } from './earning';
import { type Rejection, rejection } from './errors';
import type { Allocation, OrderRecord, ReversalTarget } from './events';
import { catchUp, type CreditPlan, credit, upgradeIfQualified } from './ledger-steps';
import { ratio, round, toMinorUnits, toSafeNumber } from './money';
import type { Programme } from './programme';

type RecordOrder = Extract<LoyaltyCommand, { type: 'RecordOrder' }>;
type RecordRefund = Extract<LoyaltyCommand, { type: 'RecordRefund' }>;

/**
 * An order credits, in this order: every purchase rule that applies (one entry per rule, cause
 * order id + rule id), on the member's first order the first-purchase rules, and the referral
 * rewards of both sides. All stay pending for the return window. Rules see the member as before
 * the order (tier multiplier, targeting, usage); a tier the order reaches applies from the next one.
 */
export function decideOrder(draft: Draft, command: RecordOrder): Rejection | null {
  const { programme, ctx } = draft;
  const account = draft.resolve(command.profileId);
  if (account.seen[`event:${command.eventId}`]) return null;
  const order = priceOrder(command.order, command.eventId, programme.currency);
  if (!order) return rejection('INVALID_AMOUNT', `order ${command.order.orderId ?? command.eventId} has a negative or non-numeric amount`);
  if (account.seen[`order:${order.orderId}`]) return null;

  const at = command.occurredAt;
  const profileId = account.profileId;
  const firstPurchase = Object.keys(account.orders).length === 0;
  const activatesAt = programme.pendingDays > 0 ? at + programme.pendingDays * DAY_MS : null;
  const plans = ruleCredits(account, order, command.eventId, at, programme, ctx.lookups, () => ctx.newId());
  if (firstPurchase) plans.push(...referralRewards(draft, command, order.orderId, order.currency, order.revenueMinor, activatesAt));

  const record: OrderRecord = {
    orderId: order.orderId,
    eventId: command.eventId,
    occurredAt: at,
    currency: order.currency,
    revenueMinor: order.revenueMinor,
    refundedMinor: 0,
    refundIds: [],
    credits: plans.map((p) => ({ lotId: p.id, profileId: p.profileId })),
    countsTowardSpend: order.currency === programme.currency,
    firstPurchase,
  };
  draft.emit('OrderRecorded', profileId, at, { order: record });
  for (const plan of plans) credit(draft, plan, at);
  upgradeIfQualified(draft, profileId, at, 'qualified');
  return null;
}

/** The credits of the programme's rules for an order (purchase rules, and first-purchase rules on the first order). */
export function ruleCredits(account: AccountState, order: PricedOrder, eventId: string, at: number, programme: Programme, lookups: Lookups, newId: () => string): CreditPlan[] {
  const activatesAt = programme.pendingDays > 0 ? at + programme.pendingDays * DAY_MS : null;
  const base = { activatesAt, qualifying: true, profileId: account.profileId };
  const cause = (ruleId: string) => ({ kind: 'order', orderId: order.orderId, eventId, ruleId }) as const;
  const plans: CreditPlan[] = [];
  for (const rule of programme.earningRules) {
    if (rule.kind !== 'purchase' || !ruleApplies(rule, account, at, programme, lookups)) continue;
    const points = purchasePoints(rule, order, tierMultiplierOf(account, programme));
    if (points > 0) plans.push({ ...base, id: newId(), points, cause: cause(rule.id), refundPolicy: 'proportional', rounding: rule.rounding });
  }
  if (Object.keys(account.orders).length === 0) {
    for (const rule of programme.earningRules) {
      if (rule.kind !== 'activity' || rule.activity !== 'first_purchase' || !ruleApplies(rule, account, at, programme, lookups)) continue;
      plans.push({ ...base, id: newId(), points: rule.points, cause: cause(rule.id), refundPolicy: 'full-refund-only', rounding: 'floor' });
    }
  }
  return plans;
}

/**
 * Referral rewards on the referee's first order, if it reaches the minimum (in the programme
 * currency). None when referrer and referee have since become one account (a late-found self-referral)
 * or the referrer reached their limit. Both are reversed only if the order is refunded in full.
 */
function referralRewards(draft: Draft, command: RecordOrder, orderId: string, currency: string, revenueMinor: number, activatesAt: number | null): CreditPlan[] {
  const { programme, ctx } = draft;
  const policy = programme.referral;
  const referee = draft.resolve(command.profileId);
  const link = referee.referral.referredBy;
  if (!policy || !link) return [];
  const referrer = draft.resolve(link.profileId);
  if (referrer.profileId === referee.profileId) return [];
  if (policy.minimumOrderValue != null) {
    const minimum = toMinorUnits(policy.minimumOrderValue, programme.currency);
    if (currency !== programme.currency || minimum === null || revenueMinor < minimum) return [];
  }
  const cause = (role: 'referrer' | 'referee') =>
    ({ kind: 'referral', orderId, eventId: command.eventId, role, refereeProfileId: referee.profileId, referrerProfileId: referrer.profileId }) as const;
  const base = { activatesAt, qualifying: false, refundPolicy: 'full-refund-only', rounding: 'floor' } as const;
  const plans: CreditPlan[] = [];
  if (policy.refereePoints > 0) plans.push({ ...base, id: ctx.newId(), profileId: referee.profileId, points: policy.refereePoints, cause: cause('referee') });
  const withinLimit = !policy.referrerLimit || ruleUses(referrer, 'referral:referrer', policy.referrerLimit, command.occurredAt, programme.timeZone) < policy.referrerLimit.count;
  if (policy.referrerPoints > 0 && withinLimit) plans.push({ ...base, id: ctx.newId(), profileId: referrer.profileId, points: policy.referrerPoints, cause: cause('referrer') });
  return plans;
}

/**
 * A refund reverses the order's credits. Proportional credits (purchase rules) keep
 * round(credited x unrefunded revenue / revenue) with the crediting rule's rounding mode, so the
 * points kept are what a smaller order would have earned and a full refund reverses all of them;
 * each refund reverses the difference to what was already reversed. First-purchase and referral
 * credits are reversed only when the order is refunded in full.
 *
 * Where the reversed points come from: first the credit's own lot (pending or active). Points of the
 * credit already spent are taken from the member's other active points, oldest first; what those
 * cannot cover is written off (recorded as shortfall), because a balance never goes negative. Points
 * of the credit that already expired are not taken again (forgone).
 */
export function decideRefund(draft: Draft, command: RecordRefund): Rejection | null {
  const account = draft.resolve(command.profileId);
  const refundId = command.refundId ?? command.eventId;
  if (account.seen[`event:${command.eventId}`] || account.seen[`refund:${refundId}`]) return null;
  const order = account.orders[command.orderId];
  if (!order) return rejection('ORDER_NOT_FOUND', `order ${command.orderId} is not in the account`);
  if (command.currency != null && command.currency.toUpperCase() !== order.currency) return rejection('CURRENCY_MISMATCH', `refund in ${command.currency} of an order in ${order.currency}`);
  const unrefunded = order.revenueMinor - order.refundedMinor;
  if (order.refundedMinor > 0 && unrefunded <= 0) return null;

  let amountMinor = unrefunded;
  if (command.reason === 'refund' && command.amount != null) {
    const requested = toMinorUnits(command.amount, order.currency);
    if (requested === null || requested <= 0) return rejection('INVALID_AMOUNT', `refund amount ${command.amount} must be positive`);
    amountMinor = Math.min(requested, unrefunded);
  }
  const refundedMinor = order.refundedMinor + amountMinor;
  const fullyRefunded = refundedMinor >= order.revenueMinor;
  const at = command.occurredAt;

  draft.emit('RefundRecorded', account.profileId, at, { orderId: order.orderId, refundId, eventId: command.eventId, amountMinor, refundedMinor, fullyRefunded, reason: command.reason });
  const cause = { kind: 'refund', orderId: order.orderId, refundId, eventId: command.eventId } as const;
  for (const creditRef of order.credits) {
    const holder = draft.resolve(creditRef.profileId);
    catchUp(draft, holder.profileId, at);
    const current = draft.account(holder.profileId);
    const lot = current.lots[creditRef.lotId];
    if (!lot) continue;
    let charged: number;
    if (lot.refundPolicy === 'proportional') {
      const kept = order.revenueMinor === 0 || fullyRefunded ? 0n : round(ratio(BigInt(lot.credited) * BigInt(order.revenueMinor - refundedMinor), BigInt(order.revenueMinor)), lot.rounding);
      charged = lot.credited - toSafeNumber(kept);
    } else if (lot.refundPolicy === 'full-refund-only') {
      charged = fullyRefunded ? lot.credited : 0;
    } else {
      charged = 0;
    }
    const points = charged - lot.reversalCharged;
    if (points <= 0) continue;
    const fromLot = Math.min(points, lot.remaining);
    const spentPart = Math.min(points - fromLot, lot.spent - lot.spentCharged);
    const forgone = points - fromLot - spentPart;
    const allocations: Allocation[] = fromLot > 0 ? [{ lotId: lot.id, points: fromLot, status: lot.status }] : [];
    const clawback = spentPart > 0 ? allocateActive(current, spentPart, new Set([lot.id])) : [];
    const clawedBack = clawback.reduce((s, a) => s + a.points, 0);
    allocations.push(...clawback);
    const target: ReversalTarget = { lotId: lot.id, points, fromLot, clawedBack, shortfall: spentPart - clawedBack, forgone };
    draft.emit('PointsReversed', holder.profileId, at, { points: fromLot + clawedBack, cause, allocations, targets: [target] });
  }
  return null;
}
