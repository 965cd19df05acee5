import type { ProfileChanged } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import { mergeOf, type ProfileHarness, resolvedEvent, SETUP_TIMEOUT_MS, splitOf, startProfile } from './support/profile-harness';

type Doc = { id: string; requestedId?: string; mergedProfileIds: string[]; traits: Record<string, unknown>; computed: Record<string, unknown>; basic: Record<string, unknown> };

const order = (profileId: string, orderId: string, revenue: number, at: number, extra: { category?: string; channel?: string } = {}) =>
  resolvedEvent(profileId, {
    event: 'Order Completed',
    timestamp: at,
    channel: extra.channel ?? 'web',
    commerce: {
      orderId,
      revenue,
      currency: 'USD',
      discount: null,
      tax: null,
      shipping: null,
      coupon: null,
      storeId: extra.channel === 'pos' ? 'store-1' : null,
      products: [{ sku: `sku-${orderId}`, productId: null, name: 'CD', category: extra.category ?? 'Music', brand: null, price: revenue, quantity: 1, variant: null }],
    },
  });

describe('profile projection (resolved events, merges and splits over Kafka into the profile API)', () => {
  let h: ProfileHarness;
  const T = Date.UTC(2026, 2, 1);

  beforeAll(async () => {
    h = await startProfile('profile-projection');
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  it('keeps the newest trait when an older event arrives late, keeps the first set-once value, and announces each change', async () => {
    const changes = await h.read<ProfileChanged>(TOPICS.profileChanged);
    await h.resolve([resolvedEvent('p-late', { type: 'identify', timestamp: T + 60_000, traits: { plan: 'gold', $set_once: { firstSource: 'seo' } } })]);
    await h.caughtUp();
    await h.resolve([resolvedEvent('p-late', { type: 'identify', timestamp: T, traits: { plan: 'silver', city: 'Hangzhou', $set_once: { firstSource: 'ads' } } })]);
    await h.caughtUp();

    const res = await h.call<Doc>('GET', '/v1/profiles/p-late');
    expect(res.status).toBe(200);
    expect(res.body.traits).toEqual({ plan: 'gold', city: 'Hangzhou', firstSource: 'ads' });
    expect(res.body.basic.city).toBe('Hangzhou');
    const traits = await h.call<{ traits: Record<string, { value: unknown; updatedAt: string; setOnce: boolean }> }>('GET', '/v1/profiles/p-late/traits');
    expect(traits.body.traits.plan).toMatchObject({ value: 'gold', updatedAt: new Date(T + 60_000).toISOString(), setOnce: false });
    expect(traits.body.traits.firstSource).toMatchObject({ value: 'ads', updatedAt: new Date(T).toISOString(), setOnce: true });

    const records = await changes.waitFor((c) => c.data.profileId === 'p-late', 2);
    expect(records.map((r) => r.value.data.version)).toEqual([1, 2]);
    const second = records[1]!.value.data;
    expect(second.changes.map((c) => ({ ...c }))).toContainEqual({ field: 'traits.firstSource', oldValue: '"seo"', newValue: '"ads"', valueTimestamp: T });
    expect(second.changes.map((c) => c.field)).not.toContain('traits.plan');
    expect(JSON.parse(second.traits)).toMatchObject({ traits: { plan: 'gold', firstSource: 'ads', city: 'Hangzhou' } });
  });

  it('counts orders and spend, lists them newest first with pagination, and counts a re-sent order once', async () => {
    await h.resolve([order('p-orders', 'o1', 10, T + 1000), order('p-orders', 'o2', 20.5, T + 2000, { channel: 'pos' }), order('p-orders', 'o3', 5, T + 3000, { category: 'Books' })]);
    await h.resolve([order('p-orders', 'o2', 20.5, T + 2000, { channel: 'pos' })]);
    await h.caughtUp();
    const res = await h.call<Doc>('GET', '/v1/profiles/p-orders');
    expect(res.body.computed).toMatchObject({
      ordersCount: 3,
      totalSpend: { USD: 35.5 },
      averageOrderValue: { USD: 11.83 },
      lastOrderAt: new Date(T + 3000).toISOString(),
      favouriteCategories: ['Music', 'Books'],
      channels: ['web', 'pos'],
      stores: ['store-1'],
      onlineOfflineMix: { onlineOrders: 2, offlineOrders: 1, onlineShare: 0.667 },
    });
    const first = await h.call<{ items: Array<{ orderId: string }>; nextCursor: string }>('GET', '/v1/profiles/p-orders/orders?limit=2');
    expect(first.body.items.map((o) => o.orderId)).toEqual(['o3', 'o2']);
    const second = await h.call<{ items: Array<{ orderId: string; items: unknown[] }>; nextCursor: string | null }>('GET', `/v1/profiles/p-orders/orders?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((o) => o.orderId)).toEqual(['o1']);
    expect(second.body.items[0]!.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
  });

  it('shows refunds and cancellations on the orders and nets them out of spend, whichever arrives first and whichever profile of the group carries them', async () => {
    const adjust = (profileId: string, event: 'Order Refunded' | 'Order Cancelled', orderId: string, at: number, revenue: number | null = null) =>
      resolvedEvent(profileId, {
        event,
        timestamp: at,
        commerce: { orderId, revenue, currency: 'USD', discount: null, tax: null, shipping: null, coupon: null, storeId: null, products: [] },
      });
    // A refund of r1 reaches the service before r1 itself; the profile's first batch also holds a cancellation.
    await h.resolve([adjust('p-refunds', 'Order Refunded', 'r1', T + 5000, 30), order('p-refunds', 'r2', 50, T + 2000), adjust('p-refunds', 'Order Cancelled', 'r2', T + 2500)]);
    await h.caughtUp();
    await h.resolve([order('p-refunds', 'r1', 100, T + 1000), order('p-refunds', 'r3', 20, T + 3000), order('p-refunds', 'r4', 10, T + 4000)]);
    await h.caughtUp();
    // A whole refund of r3 (no amount) and a second partial refund of r1, resolved to a profile merged into this one later.
    await h.resolve([adjust('p-refunds-pos', 'Order Refunded', 'r3', T + 6000), adjust('p-refunds-pos', 'Order Refunded', 'r1', T + 7000, 20)]);
    await h.caughtUp();
    await h.merged(mergeOf('m-refunds', 'p-refunds', ['p-refunds-pos']));
    await h.caughtUp();

    const orders = await h.call<{ items: Array<{ orderId: string; status: string; refundedAmount: number; revenue: number }> }>('GET', '/v1/profiles/p-refunds/orders');
    expect(orders.body.items.map((o) => [o.orderId, o.status, o.refundedAmount, o.revenue])).toEqual([
      ['r4', 'completed', 0, 10],
      ['r3', 'refunded', 20, 20],
      ['r2', 'cancelled', 0, 50],
      ['r1', 'partially_refunded', 50, 100],
    ]);
    const res = await h.call<Doc>('GET', '/v1/profiles/p-refunds');
    // Net revenue: r1 100 - 50, r4 10; r2 (cancelled) and r3 (refunded in full) no longer count.
    expect(res.body.computed).toMatchObject({ ordersCount: 2, totalSpend: { USD: 60 }, averageOrderValue: { USD: 30 } });
  });

  it('folds a merged profile into the survivor, follows the merged id, redirects its late events, and a split gives each its own facts back', async () => {
    await h.resolve([
      resolvedEvent('p-a', { type: 'identify', timestamp: T + 10_000, traits: { tier: 'silver', nickname: 'a' } }),
      order('p-a', 'a1', 100, T + 11_000),
      resolvedEvent('p-b', { type: 'identify', timestamp: T + 20_000, traits: { tier: 'gold' } }),
      order('p-b', 'b1', 40, T + 21_000),
    ]);
    await h.caughtUp();
    await h.merged(mergeOf('m-ab', 'p-a', ['p-b']));
    await h.caughtUp();

    const merged = await h.call<Doc>('GET', '/v1/profiles/p-b');
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ id: 'p-a', requestedId: 'p-b', mergedProfileIds: ['p-b'] });
    expect(merged.body.traits).toMatchObject({ tier: 'gold', nickname: 'a' });
    expect(merged.body.computed).toMatchObject({ ordersCount: 2, totalSpend: { USD: 140 } });

    // An event identity resolved to p-b before the merge, arriving after it, shows in the unified view.
    await h.resolve([order('p-b', 'b2', 10, T + 22_000)]);
    await h.caughtUp();
    expect((await h.call<Doc>('GET', '/v1/profiles/p-a')).body.computed).toMatchObject({ ordersCount: 3, totalSpend: { USD: 150 } });

    await h.split(splitOf('m-ab', 'p-a', ['p-b']));
    await h.caughtUp();
    const a = await h.call<Doc>('GET', '/v1/profiles/p-a');
    const b = await h.call<Doc>('GET', '/v1/profiles/p-b');
    expect(a.body).toMatchObject({ id: 'p-a', mergedProfileIds: [], traits: { tier: 'silver', nickname: 'a' }, computed: { ordersCount: 1, totalSpend: { USD: 100 } } });
    expect(b.body).toMatchObject({ id: 'p-b', mergedProfileIds: [], traits: { tier: 'gold' }, computed: { ordersCount: 2, totalSpend: { USD: 50 } } });
    expect(b.body.requestedId).toBeUndefined();
  });

  it('never applies a merge whose undo arrived first', async () => {
    await h.resolve([resolvedEvent('p-c', { type: 'identify', traits: { x: 1 } }), resolvedEvent('p-d', { type: 'identify', traits: { y: 2 } })]);
    await h.caughtUp();
    await h.split(splitOf('m-cd', 'p-c', ['p-d']));
    await h.caughtUp();
    await h.merged(mergeOf('m-cd', 'p-c', ['p-d']));
    await h.caughtUp();
    expect((await h.call<Doc>('GET', '/v1/profiles/p-d')).body).toMatchObject({ id: 'p-d', traits: { y: 2 } });
  });
});
