import {
  type ActivityRecord,
  type Allocation,
  type Lot,
  type LoyaltyEvent,
  type MergeRecord,
  type OrderRecord,
  type PortableRecords,
  type Redemption,
  type TierHolding,
  mergeKey,
} from './events';

/** Running totals of an account's own ledger, by entry type. Balances come from the lots. */
export interface LedgerTotals {
  earned: number;
  pendingCredited: number;
  activated: number;
  redeemed: number;
  expired: number;
  reversed: number;
  adjustedIn: number;
  adjustedOut: number;
  transferredIn: number;
  transferredOut: number;
  /** Reversals that could not be taken because the points were spent and the balance was short. Not debited. */
  writtenOff: number;
}

export interface TierChangeRecord {
  id: string;
  from: string | null;
  to: string;
  direction: 'up' | 'down';
  effectiveAt: number;
}

/**
 * A member's account in one programme: the fold of its event stream. Plain JSON (records keyed by
 * id), so it can be snapshotted as is. Never mutated: `evolve` returns a new state.
 */
export interface AccountState {
  programmeId: string;
  profileId: string;
  /** Events applied: the stream position of the last one. */
  version: number;
  status: { kind: 'open' } | { kind: 'merged'; into: string; mergeId: string };
  lots: Readonly<Record<string, Lot>>;
  orders: Readonly<Record<string, OrderRecord>>;
  activities: Readonly<Record<string, ActivityRecord>>;
  /** By idempotency key. */
  redemptions: Readonly<Record<string, Redemption>>;
  /** Merges this account survived, by `mergeKey`. */
  merges: Readonly<Record<string, MergeRecord>>;
  /** Cause keys handled: `event:<id>`, `order:<id>`, `refund:<id>`, `adjustment:<id>`, `redemption:<idempotency key>`, `merge:<merge id>/<profile>`. */
  seen: Readonly<Record<string, true>>;
  tier: TierHolding;
  tierChanges: readonly TierChangeRecord[];
  /** Notification keys already requested, with when. */
  notified: Readonly<Record<string, number>>;
  referral: { code: string | null; referredBy: { profileId: string; code: string; at: number } | null };
  totals: LedgerTotals;
}

export const EMPTY_TOTALS: LedgerTotals = {
  earned: 0,
  pendingCredited: 0,
  activated: 0,
  redeemed: 0,
  expired: 0,
  reversed: 0,
  adjustedIn: 0,
  adjustedOut: 0,
  transferredIn: 0,
  transferredOut: 0,
  writtenOff: 0,
};

/** The state of an account with no events yet: what to pass for a member never seen. */
export function emptyAccount(programmeId: string, profileId: string): AccountState {
  return {
    programmeId,
    profileId,
    version: 0,
    status: { kind: 'open' },
    lots: {},
    orders: {},
    activities: {},
    redemptions: {},
    merges: {},
    seen: {},
    tier: { current: null, since: null },
    tierChanges: [],
    notified: {},
    referral: { code: null, referredBy: null },
    totals: EMPTY_TOTALS,
  };
}

function withLots(lots: Readonly<Record<string, Lot>>, changes: Record<string, Lot>): Readonly<Record<string, Lot>> {
  return { ...lots, ...changes };
}

/** Takes allocated points out of their lots, counting them with `counter` (spent, expired, or nothing). */
function take(state: AccountState, allocations: readonly Allocation[], counter: 'spent' | 'expired' | null): Readonly<Record<string, Lot>> {
  const changes: Record<string, Lot> = {};
  for (const a of allocations) {
    const lot = changes[a.lotId] ?? state.lots[a.lotId];
    if (!lot) throw new RangeError(`allocation from unknown lot ${a.lotId}`);
    const next: Lot = { ...lot, remaining: lot.remaining - a.points };
    if (counter) next[counter] = lot[counter] + a.points;
    changes[a.lotId] = next;
  }
  return withLots(state.lots, changes);
}

function sumPoints(allocations: readonly Allocation[]): number {
  return allocations.reduce((sum, a) => sum + a.points, 0);
}

function addTotals(totals: LedgerTotals, changes: Partial<LedgerTotals>): LedgerTotals {
  const next = { ...totals };
  for (const [key, value] of Object.entries(changes) as [keyof LedgerTotals, number][]) next[key] += value;
  return next;
}

function addRecords(state: AccountState, records: PortableRecords): Pick<AccountState, 'lots' | 'orders' | 'activities' | 'redemptions' | 'merges' | 'seen'> {
  return {
    lots: { ...state.lots, ...Object.fromEntries(records.lots.map((l) => [l.id, l])) },
    orders: { ...state.orders, ...Object.fromEntries(records.orders.map((o) => [o.orderId, o])) },
    activities: { ...state.activities, ...Object.fromEntries(records.activities.map((a) => [a.eventId, a])) },
    redemptions: { ...state.redemptions, ...Object.fromEntries(records.redemptions.map((r) => [r.idempotencyKey, r])) },
    merges: { ...state.merges, ...Object.fromEntries(records.merges.map((m) => [mergeKey(m.mergeId, m.fromProfileId), m])) },
    seen: { ...state.seen, ...Object.fromEntries(records.seen.map((k) => [k, true as const])) },
  };
}

function without<T>(record: Readonly<Record<string, T>>, keys: readonly string[]): Record<string, T> {
  const next = { ...record };
  for (const key of keys) delete next[key];
  return next;
}

/** Applies one event of this account's stream. Events of other accounts are a programming error. */
export function evolve(state: AccountState, event: LoyaltyEvent): AccountState {
  if (event.data.profileId !== state.profileId) throw new RangeError(`event ${event.id} of ${event.data.profileId} applied to account ${state.profileId}`);
  const s: AccountState = { ...state, version: state.version + 1 };
  switch (event.type) {
    case 'PointsEarned':
    case 'PointsPending': {
      const d = event.data;
      const pending = event.type === 'PointsPending';
      const activatesAt = event.type === 'PointsPending' ? event.data.activatesAt : null;
      const lot: Lot = {
        id: event.id,
        cause: d.cause,
        status: pending ? 'pending' : 'active',
        credited: d.points,
        remaining: d.points,
        earnedAt: event.occurredAt,
        activatesAt,
        availableAt: activatesAt ?? event.occurredAt,
        expiresAt: d.expiresAt,
        spent: 0,
        expired: 0,
        reversalCharged: 0,
        spentCharged: 0,
        qualifying: d.qualifying,
        refundPolicy: d.refundPolicy,
        rounding: d.rounding,
      };
      return { ...s, lots: withLots(s.lots, { [lot.id]: lot }), totals: addTotals(s.totals, pending ? { pendingCredited: d.points } : { earned: d.points }) };
    }
    case 'PointsActivated': {
      const lot = s.lots[event.data.lotId];
      return { ...s, lots: withLots(s.lots, { [lot.id]: { ...lot, status: 'active' } }), totals: addTotals(s.totals, { activated: event.data.points }) };
    }
    case 'PointsRedeemed': {
      const r = event.data.redemption;
      return {
        ...s,
        lots: take(s, event.data.allocations, 'spent'),
        redemptions: { ...s.redemptions, [r.idempotencyKey]: r },
        seen: { ...s.seen, [`redemption:${r.idempotencyKey}`]: true },
        totals: addTotals(s.totals, { redeemed: event.data.points }),
      };
    }
    case 'PointsExpired':
      return { ...s, lots: take(s, event.data.allocations, 'expired'), totals: addTotals(s.totals, { expired: event.data.points }) };
    case 'PointsReversed': {
      const lots = { ...take(s, event.data.allocations, null) };
      let writtenOff = 0;
      for (const t of event.data.targets) {
        const lot = lots[t.lotId];
        lots[t.lotId] = { ...lot, reversalCharged: lot.reversalCharged + t.points, spentCharged: lot.spentCharged + t.clawedBack + t.shortfall };
        writtenOff += t.shortfall;
      }
      return { ...s, lots, totals: addTotals(s.totals, { reversed: sumPoints(event.data.allocations), writtenOff }) };
    }
    case 'PointsAdjusted': {
      const d = event.data;
      const seen = { ...s.seen, [`adjustment:${d.cause.kind === 'manual' ? d.cause.adjustmentId : event.id}`]: true as const };
      if (d.points > 0) {
        const lot: Lot = {
          id: event.id,
          cause: d.cause,
          status: 'active',
          credited: d.points,
          remaining: d.points,
          earnedAt: event.occurredAt,
          activatesAt: null,
          availableAt: event.occurredAt,
          expiresAt: d.expiresAt,
          spent: 0,
          expired: 0,
          reversalCharged: 0,
          spentCharged: 0,
          qualifying: false,
          refundPolicy: 'none',
          rounding: 'floor',
        };
        return { ...s, seen, lots: withLots(s.lots, { [lot.id]: lot }), totals: addTotals(s.totals, { adjustedIn: d.points }) };
      }
      return { ...s, seen, lots: take(s, d.allocations, 'spent'), totals: addTotals(s.totals, { adjustedOut: -d.points }) };
    }
    case 'PointsTransferred': {
      const d = event.data;
      const lot = s.lots[d.lotId];
      if (!lot) throw new RangeError(`transfer of unknown lot ${d.lotId}`);
      const sign = d.direction === 'in' ? 1 : -1;
      return {
        ...s,
        lots: withLots(s.lots, { [lot.id]: { ...lot, status: d.lotStatus, remaining: lot.remaining + sign * d.points } }),
        totals: addTotals(s.totals, d.direction === 'in' ? { transferredIn: d.points } : { transferredOut: d.points }),
      };
    }
    case 'OrderRecorded': {
      const o = event.data.order;
      return { ...s, orders: { ...s.orders, [o.orderId]: o }, seen: { ...s.seen, [`event:${o.eventId}`]: true, [`order:${o.orderId}`]: true } };
    }
    case 'RefundRecorded': {
      const d = event.data;
      const order = s.orders[d.orderId];
      return {
        ...s,
        orders: { ...s.orders, [d.orderId]: { ...order, refundedMinor: d.refundedMinor, refundIds: [...order.refundIds, d.refundId] } },
        seen: { ...s.seen, [`event:${d.eventId}`]: true, [`refund:${d.refundId}`]: true },
      };
    }
    case 'ActivityRecorded': {
      const a = event.data.activity;
      return { ...s, activities: { ...s.activities, [a.eventId]: a }, seen: { ...s.seen, [`event:${a.eventId}`]: true } };
    }
    case 'TierChanged': {
      const d = event.data;
      return {
        ...s,
        tier: { current: d.to, since: d.heldSince },
        tierChanges: [...s.tierChanges, { id: event.id, from: d.from, to: d.to, direction: d.direction, effectiveAt: d.effectiveAt }],
      };
    }
    case 'NotificationRequested':
      return { ...s, notified: { ...s.notified, [event.data.key]: event.occurredAt } };
    case 'ReferralCodeIssued':
      return { ...s, referral: { ...s.referral, code: event.data.code } };
    case 'ReferralLinked':
      return { ...s, referral: { ...s.referral, referredBy: { profileId: event.data.referrerProfileId, code: event.data.code, at: event.occurredAt } } };
    case 'AccountMerged': {
      const d = event.data;
      // An order (or idempotency key) already in the survivor stays the survivor's: the same order
      // credited to both profiles before they were known to be one person keeps both credits, and
      // its refunds reverse the survivor's.
      const r: PortableRecords = {
        ...d.records,
        orders: d.records.orders.filter((o) => !s.orders[o.orderId]),
        redemptions: d.records.redemptions.filter((x) => !s.redemptions[x.idempotencyKey]),
      };
      const record: MergeRecord = {
        mergeId: d.mergeId,
        fromProfileId: d.fromProfileId,
        mergedAt: event.occurredAt,
        lotIds: r.lots.map((l) => l.id),
        orderIds: r.orders.map((o) => o.orderId),
        activityIds: r.activities.map((a) => a.eventId),
        redemptionKeys: r.redemptions.map((x) => x.idempotencyKey),
        mergeKeys: r.merges.map((m) => mergeKey(m.mergeId, m.fromProfileId)),
        seen: r.seen,
        referralInherited: s.referral.referredBy === null && r.referredBy !== null,
        tierBefore: d.tierBefore,
        undoneBy: null,
      };
      const added = addRecords(s, r);
      const referral = record.referralInherited ? { ...s.referral, referredBy: r.referredBy } : s.referral;
      // The merge is a handled input like any other: its cause key travels with the records, so a
      // replay of it is recognised even when the survivor it names has been split off again.
      const seen = { ...added.seen, [`merge:${mergeKey(d.mergeId, d.fromProfileId)}`]: true as const };
      return { ...s, ...added, seen, referral, merges: { ...added.merges, [mergeKey(d.mergeId, d.fromProfileId)]: record } };
    }
    case 'AccountMergedInto':
      return { ...s, status: { kind: 'merged', into: event.data.survivorProfileId, mergeId: event.data.mergeId } };
    case 'AccountSplit': {
      const d = event.data;
      const key = mergeKey(d.mergeId, d.toProfileId);
      const merges = without(s.merges, d.mergeKeys);
      merges[key] = { ...s.merges[key], undoneBy: d.splitId };
      return {
        ...s,
        referral: s.merges[key]?.referralInherited ? { ...s.referral, referredBy: null } : s.referral,
        lots: without(s.lots, d.lotIds),
        orders: without(s.orders, d.orderIds),
        activities: without(s.activities, d.activityIds),
        redemptions: without(s.redemptions, d.redemptionKeys),
        merges,
      };
    }
    case 'AccountRestored':
      return { ...s, ...addRecords(s, event.data.records), status: { kind: 'open' }, tier: event.data.tier };
    default: {
      const never: never = event;
      throw new RangeError(`unknown event ${(never as LoyaltyEvent).type}`);
    }
  }
}

/** Folds a stream from the empty account. */
export function replay(programmeId: string, profileId: string, events: readonly LoyaltyEvent[]): AccountState {
  return events.reduce(evolve, emptyAccount(programmeId, profileId));
}

/** Accounts by profile id: what `decide` reads and what its events update. */
export type Accounts = ReadonlyMap<string, AccountState>;

/** Routes each event to its account (creating empty accounts for profiles not in the map). */
export function applyEvents(accounts: Accounts, events: readonly LoyaltyEvent[]): Map<string, AccountState> {
  const next = new Map(accounts);
  for (const event of events) {
    const current = next.get(event.data.profileId) ?? emptyAccount(event.data.programmeId, event.data.profileId);
    next.set(event.data.profileId, evolve(current, event));
  }
  return next;
}

/** Lots in the order they are consumed: oldest first by when they became spendable (also the order they expire in). */
export function consumptionOrder(lots: Iterable<Lot>): Lot[] {
  return [...lots].sort((a, b) => a.availableAt - b.availableAt || a.earnedAt - b.earnedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function activeBalance(state: AccountState): number {
  let sum = 0;
  for (const lot of Object.values(state.lots)) if (lot.status === 'active') sum += lot.remaining;
  return sum;
}

export function pendingBalance(state: AccountState): number {
  let sum = 0;
  for (const lot of Object.values(state.lots)) if (lot.status === 'pending') sum += lot.remaining;
  return sum;
}

/** Takes `points` from active lots oldest-first, skipping `exclude`; returns what it could take. */
export function allocateActive(state: AccountState, points: number, exclude: ReadonlySet<string> = new Set()): Allocation[] {
  const allocations: Allocation[] = [];
  let left = points;
  for (const lot of consumptionOrder(Object.values(state.lots))) {
    if (left <= 0) break;
    if (lot.status !== 'active' || lot.remaining <= 0 || exclude.has(lot.id)) continue;
    const taken = Math.min(left, lot.remaining);
    allocations.push({ lotId: lot.id, points: taken, status: 'active' });
    left -= taken;
  }
  return allocations;
}

/** The redemption recorded under an idempotency key, to answer a retried request with the original outcome. */
export function findRedemption(state: AccountState, idempotencyKey: string): Redemption | null {
  return state.redemptions[idempotencyKey] ?? null;
}
