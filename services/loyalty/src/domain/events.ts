import type { RoundingMode } from './money';
import type { ActivityKind } from './programme';

/**
 * What caused a ledger entry. Every entry carries one, so a replayed input (same event id, same
 * order id) is recognised and credits nothing twice.
 */
export type Cause =
  /** A purchase rule or the first-purchase rule applied to an order. */
  | { kind: 'order'; orderId: string; eventId: string; ruleId: string }
  /** An activity rule applied to an activity event (sign-up, review, ...). */
  | { kind: 'activity'; eventId: string; ruleId: string; activity: ActivityKind; name: string | null }
  /** The reward of a referral, granted on the referee's first order. */
  | { kind: 'referral'; orderId: string; eventId: string; role: 'referrer' | 'referee'; refereeProfileId: string; referrerProfileId: string }
  | { kind: 'refund'; orderId: string; refundId: string; eventId: string }
  | { kind: 'redemption'; redemptionId: string; idempotencyKey: string; rewardId: string }
  | { kind: 'activation'; lotId: string }
  | { kind: 'expiry'; expiresAt: number }
  | { kind: 'manual'; adjustmentId: string; actor: string; reason: string }
  /** A merge (splitId null) or the split undoing it moved points between accounts. */
  | { kind: 'transfer'; mergeId: string; splitId: string | null; counterpartProfileId: string };

/** How a refund of the order that credited a lot reverses it. */
export type RefundPolicy = 'proportional' | 'full-refund-only' | 'none';

/**
 * Points credited by one entry, tracked until they are all spent, expired, reversed or moved.
 * Oldest lots (by `availableAt`, then id) are consumed first.
 */
export interface Lot {
  /** Id of the entry that credited it (PointsEarned, PointsPending, PointsAdjusted); kept across transfers. */
  id: string;
  cause: Cause;
  status: 'pending' | 'active';
  /** Points of the original credit. */
  credited: number;
  /** Points still in the lot in this account. */
  remaining: number;
  earnedAt: number;
  /** When pending points activate; null for points credited active. */
  activatesAt: number | null;
  /** When the lot's points become spendable: activatesAt for pending credits, else earnedAt. */
  availableAt: number;
  expiresAt: number | null;
  /** Points of this lot spent on rewards or taken by negative adjustments. */
  spent: number;
  /** Points of this lot that expired. */
  expired: number;
  /** Reversal charged against this credit by refunds of its order, wherever the points were taken from. */
  reversalCharged: number;
  /** Of `spent`, how much refunds have already charged (taken from other lots, or written off). */
  spentCharged: number;
  /** Counts toward points-based tier qualification. */
  qualifying: boolean;
  refundPolicy: RefundPolicy;
  /** Rounding mode of proportional refunds: the mode of the rule that credited the lot. */
  rounding: RoundingMode;
}

/** Where points were taken from. */
export interface Allocation {
  lotId: string;
  points: number;
  /** The lot's status when taken from: refunds inside the return window take pending points. */
  status: 'pending' | 'active';
}

export interface OrderCredit {
  lotId: string;
  /** Account the lot was credited to (the referrer's reward lives in the referrer's account). */
  profileId: string;
}

export interface OrderRecord {
  orderId: string;
  eventId: string;
  occurredAt: number;
  currency: string;
  revenueMinor: number;
  refundedMinor: number;
  refundIds: string[];
  credits: OrderCredit[];
  /** Revenue counts toward spend-based tiers (the order is in the programme currency). */
  countsTowardSpend: boolean;
  firstPurchase: boolean;
}

export interface ActivityRecord {
  eventId: string;
  activity: ActivityKind;
  name: string | null;
  occurredAt: number;
}

export type RewardGrant =
  | { kind: 'coupon'; code: string }
  | { kind: 'discount'; code: string; amountOff: number | null; percentOff: number | null; currency: string }
  | { kind: 'gift'; sku: string };

export interface Redemption {
  redemptionId: string;
  idempotencyKey: string;
  rewardId: string;
  cost: number;
  grant: RewardGrant;
  redeemedAt: number;
}

/** Merges are recorded per absorbed profile: one identity merge can absorb several. */
export function mergeKey(mergeId: string, fromProfileId: string): string {
  return `${mergeId}/${fromProfileId}`;
}

export interface MergeRecord {
  mergeId: string;
  fromProfileId: string;
  mergedAt: number;
  /** What came over, so a split can send exactly that back. */
  lotIds: string[];
  orderIds: string[];
  activityIds: string[];
  redemptionKeys: string[];
  /** Keys of merges the merged account had survived itself. */
  mergeKeys: string[];
  seen: string[];
  /** The survivor had no referrer and took the merged account's (a split gives it back). */
  referralInherited: boolean;
  /** The survivor's tier before the merge; a split restores it (or the tier then qualified for, if higher). */
  tierBefore: TierHolding;
  undoneBy: string | null;
}

export interface TierHolding {
  /** Null = the lowest level. */
  current: string | null;
  since: number | null;
}

/** The records of an account that move with a merge (and back with a split). Lots travel with remaining 0; PointsTransferred moves the points. */
export interface PortableRecords {
  lots: Lot[];
  orders: OrderRecord[];
  activities: ActivityRecord[];
  redemptions: Redemption[];
  merges: MergeRecord[];
  /** Cause keys already handled (`event:<id>`, `order:<id>`, ...). */
  seen: string[];
  /** Who referred the merged account, so a referee's first order still rewards after a merge. */
  referredBy: { profileId: string; code: string; at: number } | null;
}

export type Notification =
  | { kind: 'points-expiring'; points: number; expiresAt: number }
  | { kind: 'tier-changed'; from: string | null; to: string; direction: 'up' | 'down'; effectiveAt: number };

interface Envelope<T extends string, D> {
  /** Unique event id; consumers deduplicate on it. */
  id: string;
  type: T;
  /** Business time of the change (the input event's time, or the clock for commands and due work). */
  occurredAt: number;
  /** `profileId` names the account (stream) the event belongs to. */
  data: D & { programmeId: string; profileId: string };
}

interface CreditData {
  points: number;
  cause: Cause;
  expiresAt: number | null;
  qualifying: boolean;
  refundPolicy: RefundPolicy;
  rounding: RoundingMode;
}

/** Points credited spendable at once. The entry id is the lot id. */
export type PointsEarned = Envelope<'PointsEarned', CreditData>;
/** Purchase points credited pending until the return window closes. The entry id is the lot id. */
export type PointsPending = Envelope<'PointsPending', CreditData & { activatesAt: number }>;
export type PointsActivated = Envelope<'PointsActivated', { lotId: string; points: number; cause: Cause; expiresAt: number | null }>;
export type PointsRedeemed = Envelope<'PointsRedeemed', { points: number; cause: Cause; allocations: Allocation[]; redemption: Redemption }>;
export type PointsExpired = Envelope<'PointsExpired', { points: number; cause: Cause; allocations: Allocation[] }>;

/** One credit a refund reverses: how much, and where it was taken from. */
export interface ReversalTarget {
  lotId: string;
  /** Points of the credit reversed by this refund. */
  points: number;
  /** Taken from the credit's own lot. */
  fromLot: number;
  /** Spent before the refund: taken from the member's other active points... */
  clawedBack: number;
  /** ...and what those could not cover: written off, never a negative balance. */
  shortfall: number;
  /** Expired before the refund: already gone, nothing to take. */
  forgone: number;
}

export type PointsReversed = Envelope<'PointsReversed', { points: number; cause: Cause; allocations: Allocation[]; targets: ReversalTarget[] }>;

/** A manual change with actor and reason. Positive: credits a lot (the entry id); negative: takes active points oldest-first. */
export type PointsAdjusted = Envelope<'PointsAdjusted', { points: number; cause: Cause; allocations: Allocation[]; expiresAt: number | null }>;

/** Points of one lot moved between accounts by a merge or split. */
export type PointsTransferred = Envelope<'PointsTransferred', { points: number; direction: 'in' | 'out'; lotId: string; lotStatus: 'pending' | 'active'; cause: Cause }>;

export type OrderRecorded = Envelope<'OrderRecorded', { order: OrderRecord }>;
export type RefundRecorded = Envelope<'RefundRecorded', { orderId: string; refundId: string; eventId: string; amountMinor: number; refundedMinor: number; fullyRefunded: boolean; reason: 'refund' | 'cancellation' }>;
export type ActivityRecorded = Envelope<'ActivityRecorded', { activity: ActivityRecord }>;
/**
 * `effectiveAt`: when the change took effect (a review's period start, else the triggering event's
 * time). `heldSince`: when the member reached `to`, which downgrade reviews count from; a merge that
 * brings an older tier along, or a split restoring one, keeps its original date.
 */
export type TierChanged = Envelope<
  'TierChanged',
  { from: string | null; to: string; direction: 'up' | 'down'; reason: 'qualified' | 'review' | 'merge' | 'split'; effectiveAt: number; heldSince: number | null }
>;
export type NotificationRequested = Envelope<'NotificationRequested', { key: string; notification: Notification }>;
export type ReferralCodeIssued = Envelope<'ReferralCodeIssued', { code: string }>;
export type ReferralLinked = Envelope<'ReferralLinked', { referrerProfileId: string; code: string; eventId: string | null }>;
/** On the survivor: the merged account's records arrived (its points follow as PointsTransferred). */
export type AccountMerged = Envelope<'AccountMerged', { mergeId: string; fromProfileId: string; records: PortableRecords; tierBefore: TierHolding }>;
/** On the merged account: closed; everything for it now goes to the survivor. */
export type AccountMergedInto = Envelope<'AccountMergedInto', { mergeId: string; survivorProfileId: string }>;
/** On the survivor: the records of an undone merge left (after their points, as PointsTransferred). */
export type AccountSplit = Envelope<'AccountSplit', { mergeId: string; splitId: string; toProfileId: string; lotIds: string[]; orderIds: string[]; activityIds: string[]; redemptionKeys: string[]; mergeKeys: string[] }>;
/** On the restored account: reopened with its records (its points follow as PointsTransferred). */
export type AccountRestored = Envelope<'AccountRestored', { mergeId: string; splitId: string; fromProfileId: string; records: PortableRecords; tier: TierHolding }>;

/** Ledger entries: each changes points and references its cause. */
export type LedgerEvent = PointsEarned | PointsPending | PointsActivated | PointsRedeemed | PointsExpired | PointsReversed | PointsAdjusted | PointsTransferred;

export type LoyaltyEvent =
  | LedgerEvent
  | OrderRecorded
  | RefundRecorded
  | ActivityRecorded
  | TierChanged
  | NotificationRequested
  | ReferralCodeIssued
  | ReferralLinked
  | AccountMerged
  | AccountMergedInto
  | AccountSplit
  | AccountRestored;

export type LoyaltyEventType = LoyaltyEvent['type'];

export const LEDGER_EVENT_TYPES = ['PointsEarned', 'PointsPending', 'PointsActivated', 'PointsRedeemed', 'PointsExpired', 'PointsReversed', 'PointsAdjusted', 'PointsTransferred'] as const satisfies readonly LedgerEvent['type'][];

export function isLedgerEvent(event: LoyaltyEvent): event is LedgerEvent {
  return (LEDGER_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * The signed change a ledger entry makes to the active and pending balances (a PointsActivated moves
 * points from pending to active). What the cdp.loyalty.LedgerEntry record's `points` reports.
 */
export function balanceChange(event: LedgerEvent): { active: number; pending: number } {
  const d = event.data;
  switch (event.type) {
    case 'PointsEarned':
      return { active: d.points, pending: 0 };
    case 'PointsPending':
      return { active: 0, pending: d.points };
    case 'PointsActivated':
      return { active: d.points, pending: -d.points };
    case 'PointsRedeemed':
    case 'PointsExpired':
      return { active: -d.points, pending: 0 };
    case 'PointsReversed':
      return takenFrom(event.data.allocations);
    case 'PointsAdjusted':
      return d.points > 0 ? { active: d.points, pending: 0 } : takenFrom(event.data.allocations);
    case 'PointsTransferred': {
      const sign = event.data.direction === 'in' ? 1 : -1;
      return event.data.lotStatus === 'active' ? { active: sign * d.points, pending: 0 } : { active: 0, pending: sign * d.points };
    }
    default: {
      const never: never = event;
      throw new RangeError(`unknown ledger event ${(never as LedgerEvent).type}`);
    }
  }
}

function takenFrom(allocations: readonly Allocation[]): { active: number; pending: number } {
  let active = 0;
  let pending = 0;
  for (const a of allocations) {
    if (a.status === 'active') active -= a.points;
    else pending -= a.points;
  }
  return { active, pending };
}
