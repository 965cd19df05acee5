import { type AccountState, activeBalance, pendingBalance } from './account';
import { DAY_MS } from './calendar';
import { type Rejection, rejection } from './errors';
import { isLedgerEvent, type LedgerEvent, type LoyaltyEvent } from './events';
import type { Programme } from './programme';
import { type TierProgress, tierProgress } from './tiers';

export interface AccountSummary {
  programmeId: string;
  profileId: string;
  pointsName: string;
  /** A merged account is closed; its points are in `mergedInto`'s account. */
  status: 'open' | 'merged';
  mergedInto: string | null;
  points: {
    /** Spendable now. */
    active: number;
    /** Credited, inside the return window. */
    pending: number;
    /** Of `active`, what expires within `withinDays` of now (points past their expiry and not yet processed count as expiring). */
    expiringSoon: number;
    withinDays: number;
    /** The next expiry instant of active points and how many expire then. */
    nextExpiry: { at: number; points: number } | null;
    /** Lifetime totals of this account's own ledger: points that expired, and points spent on rewards. */
    expired: number;
    spent: number;
  };
  tier: TierProgress | null;
}

/** The member's account at `now`, a pure projection of the state. `withinDays` defaults to the notification window. */
export function summarize(account: AccountState, programme: Programme, now: number, withinDays: number = programme.notifications.expiringSoonDays): AccountSummary {
  const horizon = now + withinDays * DAY_MS;
  let expiringSoon = 0;
  let nextExpiry: { at: number; points: number } | null = null;
  for (const lot of Object.values(account.lots)) {
    if (lot.status !== 'active' || lot.remaining <= 0 || lot.expiresAt === null) continue;
    if (lot.expiresAt <= horizon) expiringSoon += lot.remaining;
    if (nextExpiry === null || lot.expiresAt < nextExpiry.at) nextExpiry = { at: lot.expiresAt, points: lot.remaining };
    else if (lot.expiresAt === nextExpiry.at) nextExpiry = { at: nextExpiry.at, points: nextExpiry.points + lot.remaining };
  }
  return {
    programmeId: account.programmeId,
    profileId: account.profileId,
    pointsName: programme.pointsName,
    status: account.status.kind,
    mergedInto: account.status.kind === 'merged' ? account.status.into : null,
    points: {
      active: activeBalance(account),
      pending: pendingBalance(account),
      expiringSoon,
      withinDays,
      nextExpiry,
      expired: account.totals.expired,
      spent: account.totals.redeemed,
    },
    tier: account.status.kind === 'open' ? tierProgress(account, programme, now) : null,
  };
}

/**
 * Conservation, as the model defines it: everything credited to the account equals what is in it
 * plus everything that left it.
 *   earned + pendingCredited + adjustedIn + transferredIn
 *     = active + pending + redeemed + expired + reversed + adjustedOut + transferredOut
 * Written-off reversals are recorded but never left the account, so they are on neither side.
 */
export function pointsConserved(account: AccountState): boolean {
  const t = account.totals;
  const credited = t.earned + t.pendingCredited + t.adjustedIn + t.transferredIn;
  const accounted = activeBalance(account) + pendingBalance(account) + t.redeemed + t.expired + t.reversed + t.adjustedOut + t.transferredOut;
  return credited === accounted;
}

/** An event as stored: its position in its account's stream. */
export interface RecordedEvent {
  seq: number;
  event: LoyaltyEvent;
}

export interface HistoryPage {
  items: { seq: number; entry: LedgerEvent }[];
  /** Pass back for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const CURSOR = /^(-?\d+)\.(\d+)$/;

/**
 * A page of an account's ledger history, newest first: by `occurredAt` descending, then stream
 * position descending (entries of one decision, and entries at the same instant, read latest-made
 * first). The cursor is the (occurredAt, seq) of the page's last entry, and the next page holds the
 * entries strictly after it in that order: keyset pagination, so entries appended meanwhile never
 * shift pages. In SQL: `WHERE (occurred_at, seq) < ($at, $seq) ORDER BY occurred_at DESC, seq DESC LIMIT $n`.
 */
export function historyPage(events: readonly RecordedEvent[], options: { limit: number; cursor?: string | null }): { ok: true; page: HistoryPage } | { ok: false; rejection: Rejection } {
  let after: [number, number] | null = null;
  if (options.cursor) {
    const m = CURSOR.exec(options.cursor);
    if (!m) return { ok: false, rejection: rejection('INVALID_CURSOR', 'the cursor is not one this history gave out') };
    after = [Number(m[1]), Number(m[2])];
  }
  const limit = Math.max(1, Math.min(Math.floor(options.limit), 500));
  const sorted = events
    .filter((r): r is { seq: number; event: LedgerEvent } => isLedgerEvent(r.event))
    .filter((r) => after === null || r.event.occurredAt < after[0] || (r.event.occurredAt === after[0] && r.seq < after[1]))
    .sort((a, b) => b.event.occurredAt - a.event.occurredAt || b.seq - a.seq);
  const items = sorted.slice(0, limit).map((r) => ({ seq: r.seq, entry: r.event }));
  const last = items[items.length - 1];
  return { ok: true, page: { items, nextCursor: sorted.length > limit && last ? `${last.entry.occurredAt}.${last.seq}` : null } };
}
