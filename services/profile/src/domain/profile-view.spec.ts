import { ageBand, computeTraits } from './computed-traits';
import { buildView, diffViews, type GroupFacts, snapshotOf } from './profile-view';

const NOW = Date.UTC(2026, 0, 15);

function group(overrides: Partial<GroupFacts> = {}): GroupFacts {
  return { profileId: 'p1', mergedProfileIds: [], traits: [], consents: [], spend: [], affinities: [], span: { firstSeenAt: 1_000, lastSeenAt: 2_000 }, birthday: null, ...overrides };
}

describe('the unified view', () => {
  it('keeps personal traits out of the view, as fingerprints only', () => {
    const view = buildView(group({ traits: [{ name: 'email', mode: 'set', value: 'a@b.cn', at: 5, eventId: 'e5' }, { name: 'plan', mode: 'set', value: 'gold', at: 5, eventId: 'e5' }] }), NOW);
    expect(view.traits).toEqual({ plan: 'gold' });
    expect(view.pii).toEqual({ email: '5:e5' });
    expect(JSON.stringify(snapshotOf(view))).not.toContain('a@b.cn');
  });

  it('adds up spend per currency over the merge group and ranks favourite categories by items bought', () => {
    const computed = computeTraits({
      span: { firstSeenAt: 1_000, lastSeenAt: 9_000 },
      spend: [
        { currency: 'USD', orders: 2, revenue: 30, lastOrderAt: 5_000 },
        { currency: 'USD', orders: 1, revenue: 15.5, lastOrderAt: 8_000 },
        { currency: 'CNY', orders: 1, revenue: 99, lastOrderAt: 2_000 },
      ],
      affinities: [
        { kind: 'category', value: 'Music', events: 0, orders: 2, quantity: 5, lastAt: 1 },
        { kind: 'category', value: 'Books', events: 0, orders: 1, quantity: 7, lastAt: 1 },
        { kind: 'channel', value: 'web', events: 10, orders: 3, quantity: 0, lastAt: 1 },
        { kind: 'channel', value: 'pos', events: 2, orders: 1, quantity: 0, lastAt: 1 },
      ],
      ageBand: null,
    });
    expect(computed).toMatchObject({
      ordersCount: 4,
      totalSpend: { CNY: 99, USD: 45.5 },
      averageOrderValue: { CNY: 99, USD: 15.17 },
      lastOrderAt: new Date(8_000).toISOString(),
      favouriteCategories: ['Books', 'Music'],
      channels: ['web', 'pos'],
      onlineOfflineMix: { onlineOrders: 3, offlineOrders: 1, onlineShare: 0.75 },
    });
  });

  it('puts a birthday in an age band', () => {
    expect(ageBand('1990-06-01', NOW)).toBe('35-44');
    expect(ageBand('2010-01-16', NOW)).toBe('under-18');
    expect(ageBand('not a date', NOW)).toBeNull();
  });

  it('names what changed, with the event time of the new trait value, and withholds personal values', () => {
    const before = buildView(group({ traits: [{ name: 'plan', mode: 'set', value: 'silver', at: 1, eventId: 'e1' }] }), NOW);
    const after = buildView(
      group({
        traits: [
          { name: 'plan', mode: 'set', value: 'gold', at: 7, eventId: 'e7' },
          { name: 'phone', mode: 'set', value: '+8613800000000', at: 7, eventId: 'e7' },
        ],
      }),
      NOW,
    );
    const changes = diffViews(before, after, new Map([['plan', 7], ['phone', 7]]), 9);
    expect(changes).toEqual([
      { field: 'traits.plan', oldValue: 'silver', newValue: 'gold', at: 7, redacted: false, hadValue: true, hasValue: true },
      { field: 'pii.phone', oldValue: undefined, newValue: undefined, at: 7, redacted: true, hadValue: false, hasValue: true },
    ]);
  });
});
