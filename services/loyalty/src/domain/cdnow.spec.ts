/**
 * The CDNOW purchases (the 1/10 sample: 6,919 transactions of 2,357 customers, 1997-01 to 1998-06)
 * through an example programme, checked against totals computed here from the file's text alone:
 * whole dollars per order from the digits (no floating point), dates by calendar arithmetic.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { activeBalance } from './account';
import type { LoyaltyCommand } from './commands';
import { DAY_MS, exampleProgramme, Scenario } from './spec-support';
import { pointsConserved } from './summary';

/** ../shared/datasets beside the repository, as the benchmarks find it (or beside any folder above it, for worktrees). */
function datasetsDir(): string {
  for (let dir = resolve(__dirname, '../../../..'); ; dir = dirname(dir)) {
    const candidate = join(dir, '..', 'shared', 'datasets');
    if (existsSync(join(candidate, 'cdnow_sample.txt'))) return candidate;
    if (dirname(dir) === dir) throw new Error('cdnow_sample.txt not found in ../shared/datasets beside the repository');
  }
}

interface Purchase {
  customer: string;
  date: string;
  at: number;
  cents: number;
  dollars: number;
  orderId: string;
}

function readSample(): Purchase[] {
  const purchases: Purchase[] = [];
  readFileSync(join(datasetsDir(), 'cdnow_sample.txt'), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const fields = line.trim().split(/\s+/);
      if (fields.length !== 5) return;
      const [customer, , date, , dollars] = fields;
      const [whole, fraction = ''] = dollars.split('.');
      purchases.push({
        customer: `cdnow-${customer}`,
        date,
        at: Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8)), 12),
        cents: Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2)),
        dollars: Number(dollars),
        orderId: `cdnow-${customer}-${date}-${i}`,
      });
    });
  return purchases;
}

const PENDING_DAYS = 30;
const EXPIRY_DAYS = 365;
const programme = exampleProgramme({
  pendingDays: PENDING_DAYS,
  expiry: { kind: 'rolling', days: EXPIRY_DAYS },
  tiers: {
    metric: 'points',
    windowDays: 365,
    reviewPeriod: 'year',
    levels: [
      { id: 'normal', name: '普通', threshold: 0, earnMultiplier: 1 },
      { id: 'silver', name: '银卡', threshold: 200, earnMultiplier: 1 },
      { id: 'gold', name: '金卡', threshold: 1000, earnMultiplier: 1 },
    ],
  },
});

const orderCommand = (p: Purchase): LoyaltyCommand => ({
  type: 'RecordOrder',
  profileId: p.customer,
  eventId: `evt-${p.orderId}`,
  occurredAt: p.at,
  order: { orderId: p.orderId, revenue: p.dollars, currency: 'USD', products: [] },
});

describe('the CDNOW sample through an example programme', () => {
  const purchases = readSample().sort((a, b) => a.at - b.at);
  const s = new Scenario(programme);
  for (const p of purchases) s.given(orderCommand(p));
  const customers = [...new Set(purchases.map((p) => p.customer))];
  const byCustomer = new Map<string, Purchase[]>(customers.map((c) => [c, purchases.filter((p) => p.customer === c)]));
  const points = (p: Purchase) => Math.floor(p.cents / 100);

  it('reads every transaction of the sample', () => {
    expect([purchases.length, customers.length]).toEqual([6919, 2357]);
  });

  it('credits each customer the sum of whole dollars of their orders, all pending at first', () => {
    for (const [customer, list] of byCustomer) {
      expect([customer, s.account(customer).totals.pendingCredited]).toEqual([customer, list.reduce((sum, p) => sum + points(p), 0)]);
    }
    const total = purchases.reduce((sum, p) => sum + points(p), 0);
    expect(customers.reduce((sum, c) => sum + s.account(c).totals.pendingCredited, 0)).toBe(total);
  });

  it('upgrades exactly the customers whose points over some 365-day window reach a tier', () => {
    const reached = (threshold: number) =>
      customers
        .filter((c) => {
          const list = byCustomer.get(c) ?? [];
          return list.some((p) => list.filter((q) => q.at > p.at - 365 * DAY_MS && q.at <= p.at).reduce((sum, q) => sum + points(q), 0) >= threshold);
        })
        .sort();
    const upgradedTo = (tier: string) =>
      customers.filter((c) => s.streams.get(c)?.some((r) => r.event.type === 'TierChanged' && r.event.data.to === tier)).sort();
    expect(upgradedTo('silver').length + upgradedTo('gold').length).toBeGreaterThan(0);
    expect(new Set([...upgradedTo('silver'), ...upgradedTo('gold')])).toEqual(new Set(reached(200)));
    expect(upgradedTo('gold')).toEqual(reached(1000));
  });

  it('activates after the return window and expires a year later, as of the day after the data ends', () => {
    const now = Date.UTC(1998, 6, 1);
    s.at(now).tick();
    let [active, pending, expired] = [0, 0, 0];
    for (const p of purchases) {
      const activatesAt = p.at + PENDING_DAYS * DAY_MS;
      if (activatesAt > now) pending += points(p);
      else if (activatesAt + EXPIRY_DAYS * DAY_MS <= now) expired += points(p);
      else active += points(p);
    }
    const sum = (f: (c: string) => number) => customers.reduce((total, c) => total + f(c), 0);
    expect([sum((c) => s.summary(c).points.active), sum((c) => s.summary(c).points.pending), sum((c) => s.summary(c).points.expired)]).toEqual([active, pending, expired]);
    expect(customers.every((c) => pointsConserved(s.account(c)))).toBe(true);
  });

  it('reverses a refunded order, in full and in part, then expires the rest when the clock moves on', () => {
    // Of the customers with both active and pending points, the one with the most orders: refund
    // their latest active order in full and a pending one in part.
    const now = s.now;
    const isActive = (p: Purchase) => p.at + PENDING_DAYS * DAY_MS <= now && p.at + (PENDING_DAYS + EXPIRY_DAYS) * DAY_MS > now && points(p) > 0;
    const isPending = (p: Purchase) => p.at + PENDING_DAYS * DAY_MS > now && points(p) > 0;
    const [customer, list] = [...byCustomer]
      .filter(([, l]) => l.some(isActive) && l.some(isPending))
      .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1))[0];
    const full = list.filter(isActive).pop() as Purchase;
    const partial = list.find(isPending) as Purchase;
    const before = s.summary(customer).points;

    s.given({ type: 'RecordRefund', profileId: customer, eventId: 'refund-full', occurredAt: now, orderId: full.orderId, amount: null, currency: 'USD', reason: 'refund' });
    expect(s.summary(customer).points).toMatchObject({ active: before.active - points(full), pending: before.pending });

    // A third of the revenue back: the order keeps floor(points x unrefunded cents / cents).
    const refundCents = Math.floor(partial.cents / 3);
    const kept = Math.floor((points(partial) * (partial.cents - refundCents)) / partial.cents);
    s.given({ type: 'RecordRefund', profileId: customer, eventId: 'refund-part', occurredAt: now, orderId: partial.orderId, amount: refundCents / 100, currency: 'USD', reason: 'refund' });
    expect(s.summary(customer).points.pending).toBe(before.pending - (points(partial) - kept));
    expect(points(partial) - kept).toBeGreaterThan(0);

    const reversed = s.account(customer).totals.reversed;
    s.at(Date.UTC(2000, 0, 1)).tick();
    const credited = list.reduce((sum, p) => sum + points(p), 0);
    expect(s.summary(customer).points).toMatchObject({ active: 0, pending: 0, expired: credited - reversed });
    expect(customers.reduce((sum, c) => sum + activeBalance(s.account(c)), 0)).toBe(0);
    expect(customers.reduce((sum, c) => sum + s.summary(c).points.expired + s.account(c).totals.reversed, 0)).toBe(purchases.reduce((sum, p) => sum + points(p), 0));
  });
});
