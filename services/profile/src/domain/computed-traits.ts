import type { JsonObject } from './json';
import { type AdjustedOrder, netSpend } from './order-adjustments';

/** Orders and spend of one profile in one currency. */
export interface SpendTotals {
  readonly currency: string;
  readonly orders: number;
  readonly revenue: number;
  readonly lastOrderAt: number | null;
}

export type AffinityKind = 'category' | 'brand' | 'channel' | 'store';

/** How often a profile met a category or brand (items bought), a channel or a store (events, orders). */
export interface Affinity {
  readonly kind: AffinityKind;
  readonly value: string;
  readonly events: number;
  readonly orders: number;
  /** Items bought (categories and brands). */
  readonly quantity: number;
  readonly lastAt: number;
}

export interface ActivitySpan {
  readonly firstSeenAt: number | null;
  readonly lastSeenAt: number | null;
}

/** Channels whose events happen in a store or with a person rather than online. */
export const OFFLINE_CHANNELS: ReadonlySet<string> = new Set(['pos', 'store', 'call_center', 'call_centre', 'file']);
export const ONLINE_CHANNELS: ReadonlySet<string> = new Set(['web', 'app', 'miniprogram', 'mini_program', 'email', 'sms', 'social', 'push']);

const TOP = 3;

/** Adds up the counters of the profiles of a merge group. */
export function sumSpend(rows: Iterable<SpendTotals>): SpendTotals[] {
  const out = new Map<string, { currency: string; orders: number; revenue: number; lastOrderAt: number | null }>();
  for (const row of rows) {
    const cur = out.get(row.currency) ?? { currency: row.currency, orders: 0, revenue: 0, lastOrderAt: null };
    cur.orders += row.orders;
    cur.revenue += row.revenue;
    cur.lastOrderAt = maxNullable(cur.lastOrderAt, row.lastOrderAt);
    out.set(row.currency, cur);
  }
  return [...out.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}

export function sumAffinities(rows: Iterable<Affinity>): Affinity[] {
  const out = new Map<string, { kind: AffinityKind; value: string; events: number; orders: number; quantity: number; lastAt: number }>();
  for (const row of rows) {
    const key = `${row.kind}\u0000${row.value}`;
    const cur = out.get(key) ?? { kind: row.kind, value: row.value, events: 0, orders: 0, quantity: 0, lastAt: row.lastAt };
    cur.events += row.events;
    cur.orders += row.orders;
    cur.quantity += row.quantity;
    cur.lastAt = Math.max(cur.lastAt, row.lastAt);
    out.set(key, cur);
  }
  return [...out.values()];
}

/**
 * The computed traits of a profile (as of its facts; `daysSinceLastOrder` depends on the reader's
 * clock and is added when a profile is read): activity span, orders and spend per currency (net of
 * refunds and cancellations, see netSpend; `lastOrderAt` is the last order placed), the
 * favourite categories and brands (most items bought, then most recent), channels and stores used
 * (most events first), the online/offline mix of orders, and the age band.
 */
export function computeTraits(input: { span: ActivitySpan; spend: readonly SpendTotals[]; adjustedOrders?: readonly AdjustedOrder[]; affinities: readonly Affinity[]; ageBand: string | null }): JsonObject {
  const spend = netSpend(sumSpend(input.spend), input.adjustedOrders ?? []);
  const affinities = sumAffinities(input.affinities);
  const ordersCount = spend.reduce((n, s) => n + s.orders, 0);
  const totalSpend: JsonObject = {};
  const averageOrderValue: JsonObject = {};
  for (const s of spend) {
    if (s.orders === 0) continue;
    totalSpend[s.currency] = money(s.revenue);
    averageOrderValue[s.currency] = money(s.revenue / s.orders);
  }
  const lastOrderAt = spend.reduce<number | null>((at, s) => maxNullable(at, s.lastOrderAt), null);
  const of = (kind: AffinityKind) => affinities.filter((a) => a.kind === kind);
  const ranked = (kind: AffinityKind, score: (a: Affinity) => number) =>
    of(kind)
      .filter((a) => score(a) > 0)
      .sort((a, b) => score(b) - score(a) || b.lastAt - a.lastAt || (a.value < b.value ? -1 : 1))
      .map((a) => a.value);
  const channels = of('channel');
  const online = channels.filter((c) => ONLINE_CHANNELS.has(c.value)).reduce((n, c) => n + c.orders, 0);
  const offline = channels.filter((c) => OFFLINE_CHANNELS.has(c.value)).reduce((n, c) => n + c.orders, 0);
  return {
    firstSeenAt: iso(input.span.firstSeenAt),
    lastSeenAt: iso(input.span.lastSeenAt),
    ordersCount,
    totalSpend,
    averageOrderValue,
    lastOrderAt: iso(lastOrderAt),
    favouriteCategories: ranked('category', (a) => a.quantity).slice(0, TOP),
    favouriteBrands: ranked('brand', (a) => a.quantity).slice(0, TOP),
    channels: ranked('channel', (a) => a.events),
    stores: ranked('store', (a) => a.events),
    onlineOfflineMix: { onlineOrders: online, offlineOrders: offline, onlineShare: online + offline === 0 ? null : Math.round((online / (online + offline)) * 1000) / 1000 },
    ageBand: input.ageBand,
  };
}

/** Whole days from the last order to `now`, or null without orders. */
export function daysSince(isoInstant: unknown, now: number): number | null {
  if (typeof isoInstant !== 'string') return null;
  const at = Date.parse(isoInstant);
  return Number.isFinite(at) ? Math.max(0, Math.floor((now - at) / 86_400_000)) : null;
}

const BANDS: ReadonlyArray<readonly [number, string]> = [
  [18, 'under-18'],
  [25, '18-24'],
  [35, '25-34'],
  [45, '35-44'],
  [55, '45-54'],
  [65, '55-64'],
];

/** The age band of a birthday (`YYYY-MM-DD` or an ISO instant) at `now`; null when it is no date. */
export function ageBand(birthday: unknown, now: number): string | null {
  if (typeof birthday !== 'string') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthday.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const today = new Date(now);
  let age = today.getUTCFullYear() - year;
  if (today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day)) age -= 1;
  if (age < 0 || age > 130) return null;
  for (const [limit, band] of BANDS) if (age < limit) return band;
  return '65+';
}

function money(amount: number): number {
  return Math.round(amount * 100) / 100;
}

function maxNullable(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

function iso(at: number | null): string | null {
  return at === null ? null : new Date(at).toISOString();
}
