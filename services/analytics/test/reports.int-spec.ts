import { TOPICS } from '@cdp/contracts';
import { type AnalyticsHarness, resolvedRecords, SETUP_TIMEOUT_MS, startAnalytics } from './support/analytics-harness';
import { orderCompleted, product, resolvedEvent } from './support/resolved-events';

const at = (month: number, day: number, hour = 10) => Date.UTC(2026, month - 1, day, hour);

describe('GET /v1/reports/:name', () => {
  let h: AnalyticsHarness;
  beforeAll(async () => {
    h = await startAnalytics('analytics-reports');
    const events = [
      resolvedEvent({ profileId: 'c1', occurredAt: at(1, 1), type: 'identify', traits: { gender: 'female', age: 30, address: { city: 'Berlin', state: 'Berlin', country: 'DE' } } }),
      resolvedEvent({ profileId: 'c1', occurredAt: at(1, 5, 9), event: 'Product Viewed' }),
      resolvedEvent({ profileId: 'c1', occurredAt: at(1, 5, 9) + 60_000, event: 'Product Added' }),
      orderCompleted({ profileId: 'c1', occurredAt: at(1, 5), orderId: 'c1-1', revenue: 20, storeId: 's1', products: [product({ category: 'Music', price: 10, quantity: 2 })] }),
      orderCompleted({ profileId: 'c1', occurredAt: at(2, 10), channel: 'app', orderId: 'c1-2', revenue: 20, products: [product({ category: 'Books', brand: 'Acme', price: 20 })] }),
      resolvedEvent({ profileId: 'c2', occurredAt: at(1, 2), type: 'identify', traits: { gender: 'male', birthday: '1975-06-01', address: { country: 'US', state: 'CA' } } }),
      resolvedEvent({ profileId: 'c2', occurredAt: at(1, 20, 9), event: 'Product Viewed' }),
      orderCompleted({ profileId: 'c2', occurredAt: at(1, 20), orderId: 'c2-1', revenue: 15, products: [product({ category: 'Music', price: 15 })] }),
      orderCompleted({ profileId: 'c3', occurredAt: at(2, 3), channel: 'pos', storeId: 's2', orderId: 'c3-1', revenue: 30, products: [product({ category: 'Books', brand: 'Acme', price: 30 })] }),
      resolvedEvent({ profileId: 'c4', occurredAt: at(2, 14), type: 'page', name: 'Home' }),
      // Outside the period.
      orderCompleted({ profileId: 'c4', occurredAt: at(3, 2), orderId: 'c4-1', revenue: 99, products: [] }),
    ];
    await h.produce(TOPICS.identityResolvedEvents, resolvedRecords(events));
    await h.waitUntilConsumed(TOPICS.identityResolvedEvents);
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  const period = 'from=2026-01-01&to=2026-03-01';
  const report = async <T>(name: string, query = period): Promise<T> => {
    const res = await h.api('GET', `/v1/reports/${name}?${query}`);
    expect({ name, status: res.status }).toEqual({ name, status: 200 });
    return (await res.json()) as T;
  };

  it('breaks the customers active in the period down by age band, gender, region, country and channel', async () => {
    expect(await report('customers')).toEqual({
      customers: 4,
      ageBand: [
        { value: 'unknown', customers: 2, share: 0.5 },
        { value: '25-34', customers: 1, share: 0.25 },
        { value: '45-54', customers: 1, share: 0.25 },
      ],
      gender: [
        { value: 'unknown', customers: 2, share: 0.5 },
        { value: 'female', customers: 1, share: 0.25 },
        { value: 'male', customers: 1, share: 0.25 },
      ],
      region: [
        { value: 'unknown', customers: 2, share: 0.5 },
        { value: 'Berlin', customers: 1, share: 0.25 },
        { value: 'CA', customers: 1, share: 0.25 },
      ],
      country: [
        { value: 'unknown', customers: 2, share: 0.5 },
        { value: 'DE', customers: 1, share: 0.25 },
        { value: 'US', customers: 1, share: 0.25 },
      ],
      channel: [
        { value: 'web', customers: 3, share: 0.75 },
        { value: 'app', customers: 1, share: 0.25 },
        { value: 'pos', customers: 1, share: 0.25 },
      ],
    });
  });

  it('counts buyers by number of orders, and the repurchase rate (复购率)', async () => {
    expect(await report('purchase-frequency')).toEqual({
      buyers: 3,
      distribution: [
        { orders: 1, customers: 2, share: 0.666667 },
        { orders: 2, customers: 1, share: 0.333333 },
      ],
    });
    expect(await report('repurchase-rate')).toEqual({ buyers: 3, repeatBuyers: 1, repurchaseRate: 0.333333 });
  });

  it('sums sales by day, channel, store, category and brand, and the average order value', async () => {
    expect((await report<{ rows: unknown[] }>('sales', `${period}&by=day`)).rows).toEqual([
      { key: '2026-01-05', currency: 'USD', orders: 1, units: null, revenue: 20 },
      { key: '2026-01-20', currency: 'USD', orders: 1, units: null, revenue: 15 },
      { key: '2026-02-03', currency: 'USD', orders: 1, units: null, revenue: 30 },
      { key: '2026-02-10', currency: 'USD', orders: 1, units: null, revenue: 20 },
    ]);
    expect((await report<{ rows: Array<{ key: string; revenue: number }> }>('sales', `${period}&by=channel`)).rows.map((r) => [r.key, r.revenue])).toEqual([
      ['web', 35],
      ['pos', 30],
      ['app', 20],
    ]);
    expect((await report<{ rows: Array<{ key: string; revenue: number }> }>('sales', `${period}&by=store`)).rows.map((r) => [r.key, r.revenue])).toEqual([
      ['unknown', 35],
      ['s2', 30],
      ['s1', 20],
    ]);
    expect((await report<{ rows: unknown[] }>('sales', `${period}&by=category`)).rows).toEqual([
      { key: 'Books', currency: 'USD', orders: 2, units: 2, revenue: 50 },
      { key: 'Music', currency: 'USD', orders: 2, units: 3, revenue: 35 },
    ]);
    expect((await report<{ rows: Array<{ key: string; revenue: number }> }>('sales', `${period}&by=brand`)).rows.map((r) => [r.key, r.revenue])).toEqual([
      ['Acme', 50],
      ['unknown', 35],
    ]);
    expect(await report('average-order-value')).toEqual({ rows: [{ currency: 'USD', orders: 4, revenue: 85, averageOrderValue: 21.25 }] });
  });

  it('follows monthly cohorts of first orders', async () => {
    expect(await report('cohort-retention')).toEqual({
      cohorts: [
        { cohort: '2026-01', customers: 2, retention: [1, 0.5] },
        { cohort: '2026-02', customers: 1, retention: [1] },
      ],
    });
  });

  it('counts customers at each step of a funnel completed in order within the window', async () => {
    const steps = ['Product Viewed', 'Product Added', 'Order Completed'].map((s) => `step=${encodeURIComponent(s)}`).join('&');
    expect(await report('funnel', `${period}&${steps}&window=3600`)).toEqual({
      windowSeconds: 3600,
      steps: [
        { event: 'Product Viewed', customers: 2, conversion: 1 },
        { event: 'Product Added', customers: 1, conversion: 0.5 },
        { event: 'Order Completed', customers: 1, conversion: 0.5 },
      ],
    });
  });

  it('restricts a report to the profile ids of a segment', async () => {
    expect(await report('repurchase-rate', `${period}&profileId=c1&profileId=c3`)).toEqual({ buyers: 2, repeatBuyers: 1, repurchaseRate: 0.5 });
  });

  it('answers an unknown report with 404 and a bad period with 400', async () => {
    const missing = await h.api('GET', '/v1/reports/nope');
    expect([missing.status, ((await missing.json()) as { code: string }).code]).toEqual([404, 'REPORT_NOT_FOUND']);
    expect((await h.api('GET', '/v1/reports/sales?from=2026-03-01&to=2026-01-01')).status).toBe(400);
    expect((await h.api('GET', '/v1/reports/sales?by=colour')).status).toBe(400);
  });
});
