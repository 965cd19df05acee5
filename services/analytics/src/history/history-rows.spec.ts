import { orderCompleted, product, resolvedEvent } from '../../test/support/resolved-events';
import { dateTime64, historyRows } from './history-rows';

const at = Date.UTC(2026, 2, 14, 9, 30, 0, 125);

describe('history rows', () => {
  it('given an Order Completed, writes one event row with typed commerce columns and one row per product line', () => {
    const event = orderCompleted({
      profileId: 'p-1',
      occurredAt: at,
      orderId: 'o-1',
      revenue: 25.5,
      storeId: 'store-7',
      products: [product({ sku: 'A', price: 10.5, quantity: 1, brand: 'Acme' }), product({ sku: 'B', price: 7.5, quantity: 2, category: 'Books' })],
    });
    const rows = historyRows([event]);
    expect(rows.events).toEqual([
      expect.objectContaining({
        event_id: event.id,
        profile_id: 'p-1',
        occurred_at: '2026-03-14 09:30:00.125',
        type: 'track',
        event_name: 'Order Completed',
        store_id: 'store-7',
        order_id: 'o-1',
        revenue: 25.5,
        currency: 'USD',
        item_count: 2,
        item_quantity: 3,
      }),
    ]);
    expect(rows.orderItems.map((i) => [i.line, i.sku, i.category, i.brand, i.price, i.quantity])).toEqual([
      [0, 'A', 'Music', 'Acme', 10.5, 1],
      [1, 'B', 'Books', '', 7.5, 2],
    ]);
  });

  it('keeps page and screen names apart from track event names', () => {
    const [page, screen, track] = historyRows([
      resolvedEvent({ profileId: 'p', occurredAt: at, type: 'page', name: 'Checkout', properties: { path: '/checkout' } }),
      resolvedEvent({ profileId: 'p', occurredAt: at, type: 'screen', name: 'Cart' }),
      resolvedEvent({ profileId: 'p', occurredAt: at, type: 'track', event: 'Product Viewed' }),
    ]).events;
    expect([page!.event_name, page!.page_name, page!.page_path]).toEqual(['', 'Checkout', '/checkout']);
    expect([screen!.event_name, screen!.page_name]).toEqual(['', 'Cart']);
    expect([track!.event_name, track!.page_name]).toEqual(['Product Viewed', '']);
  });

  it("removes the event's identifiers and contact data from every JSON column", () => {
    const event = resolvedEvent({
      profileId: 'p',
      occurredAt: at,
      type: 'identify',
      userId: 'user-9',
      traits: { email: 'grace@example.org', plan: 'gold', gender: 'female' },
      properties: { contact: 'grace@example.org' },
      context: { ip: '203.0.113.5', traits: { email: 'grace@example.org' } },
      identifiers: [{ type: 'email', value: 'grace@example.org' }, { type: 'member_card', value: 'MC-77' }],
    });
    const [row] = historyRows([event]).events;
    expect(JSON.stringify(row)).not.toMatch(/grace@example\.org|203\.0\.113\.5|user-9|MC-77/);
    expect(JSON.parse(row!.traits)).toEqual({ plan: 'gold', gender: 'female' });
  });

  it('turns an identify into profile attribute rows stamped with the event time', () => {
    const event = resolvedEvent({ profileId: 'p', occurredAt: at, type: 'identify', traits: { gender: 'm', age: 41 }, channel: 'pos' });
    expect(historyRows([event]).attributes).toEqual([
      { profile_id: 'p', attribute: 'age_band', value: '35-44', updated_at: '2026-03-14 09:30:00.125', event_id: event.id },
      { profile_id: 'p', attribute: 'gender', value: 'male', updated_at: '2026-03-14 09:30:00.125', event_id: event.id },
      { profile_id: 'p', attribute: 'channel', value: 'pos', updated_at: '2026-03-14 09:30:00.125', event_id: event.id },
    ]);
  });

  it('leaves out amounts a Decimal(18, 4) cannot hold instead of failing the batch', () => {
    const event = orderCompleted({ profileId: 'p', occurredAt: at, orderId: 'o', revenue: 1e20, products: [product({ price: Number.POSITIVE_INFINITY })] });
    const rows = historyRows([event]);
    expect([rows.events[0]!.revenue, rows.orderItems[0]!.price]).toEqual([null, null]);
  });

  it('formats times for DateTime64(3) in UTC', () => {
    expect(dateTime64(0)).toBe('1970-01-01 00:00:00.000');
  });
});
