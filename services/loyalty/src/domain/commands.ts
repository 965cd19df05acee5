import type { ActivityKind, Programme } from './programme';

/** A product line as the platform's commerce record carries it (cdp.ingest.Product). */
export interface ProductInput {
  sku: string | null;
  category: string | null;
  brand: string | null;
  /** Unit price, major units of the order currency. */
  price: number | null;
  quantity: number;
}

/** An order as the platform's commerce record carries it (cdp.ingest.Commerce); extra fields are ignored. */
export interface OrderInput {
  /** Null: the event id stands in for it. */
  orderId: string | null;
  /** What the customer paid, excluding shipping and tax (major units). Null: the sum of the lines. */
  revenue: number | null;
  /** Null: the programme currency. */
  currency: string | null;
  products: readonly ProductInput[];
}

/** Activities members report; `first_purchase` is not one: it is derived from orders. */
export type ReportedActivity = Exclude<ActivityKind, 'first_purchase'>;

export type LoyaltyCommand =
  /** An `Order Completed`: credits purchase, first-purchase and referral points. */
  | { type: 'RecordOrder'; profileId: string; eventId: string; occurredAt: number; order: OrderInput }
  /**
   * An `Order Refunded` (amount null: everything not yet refunded) or `Order Cancelled` (always in
   * full). `refundId` defaults to the event id; repeating it changes nothing.
   */
  | {
      type: 'RecordRefund';
      profileId: string;
      eventId: string;
      occurredAt: number;
      orderId: string;
      refundId?: string | null;
      amount: number | null;
      currency: string | null;
      reason: 'refund' | 'cancellation';
    }
  /** Sign-up, review, survey, birthday, profile completed, or a custom event by name. */
  | { type: 'RecordActivity'; profileId: string; eventId: string; occurredAt: number; activity: ReportedActivity; name: string | null }
  /**
   * Spends points on a reward. Repeating an idempotency key returns nothing new (see
   * `findRedemption`). For pool coupons the caller claims a code from the pool in the same
   * transaction and passes it as `reservedCode`; it is released if the decision refuses.
   */
  | { type: 'RedeemReward'; profileId: string; rewardId: string; idempotencyKey: string; reservedCode?: string | null }
  /** An operator's correction: non-zero integer points, an actor and a reason, audited on the entry. */
  | { type: 'AdjustPoints'; profileId: string; adjustmentId: string; points: number; actor: string; reason: string }
  /** Gives the member a referral code (once; later calls return nothing new). */
  | { type: 'IssueReferralCode'; profileId: string }
  /** The referee (profileId) signed up with a referrer's code. */
  | { type: 'ApplyReferralCode'; profileId: string; code: string; eventId: string | null; occurredAt: number }
  /** Identity merged profiles: their accounts move into the survivor's. */
  | { type: 'MergeAccounts'; mergeId: string; survivorProfileId: string; mergedProfileIds: readonly string[]; occurredAt: number }
  /** Identity split a profile. Only a split that undoes a merge moves points (back). */
  | { type: 'SplitAccounts'; splitId: string; undoneMergeId: string | null; profileId: string; restoredProfileIds: readonly string[]; occurredAt: number }
  /** Activates, expires, reviews tiers and requests notifications that are due at `now`. See `nextDueAt`. */
  | { type: 'ProcessDueWork'; profileId: string };

export type LoyaltyCommandType = LoyaltyCommand['type'];

/** Answers from other services' data, as of decision time. */
export interface Lookups {
  isInSegment(profileId: string, segmentId: string): boolean;
  hasTag(profileId: string, tag: string): boolean;
  /** Profile that owns a referral code (the persistence layer's unique index), or null. */
  referralCodeOwner(code: string): string | null;
}

/** Everything `decide` needs besides the command and the accounts. */
export interface DecideContext {
  /** Must pass `validateProgramme`. */
  programme: Programme;
  /** The clock, epoch ms: the time of commands without a time of their own and of due work. */
  now: number;
  /** Unique event ids (UUIDs). */
  newId(): string;
  /** Unguessable, human-friendly codes for referral codes and generated coupons. */
  newCode(): string;
  lookups: Lookups;
}
