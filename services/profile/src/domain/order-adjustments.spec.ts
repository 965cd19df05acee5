import { computeTraits } from './computed-traits';
import { netSpend, orderStatus } from './order-adjustments';

describe('refunds and cancellations', () => {
  const spend = [{ currency: 'USD', orders: 3, revenue: 300, lastOrderAt: 3_000 }];

  it('gives an order its status from the refunds and cancellations that name it', () => {
    expect(orderStatus({ revenue: 100, refunded: null, cancelled: false })).toEqual({ status: 'completed', refundedAmount: 0 });
    expect(orderStatus({ revenue: 100, refunded: 30, cancelled: false })).toEqual({ status: 'partially_refunded', refundedAmount: 30 });
    expect(orderStatus({ revenue: 100, refunded: 30 + 70, cancelled: false })).toEqual({ status: 'refunded', refundedAmount: 100 });
    // Refunds never exceed what was paid; a cancellation wins over refunds.
    expect(orderStatus({ revenue: 100, refunded: 250, cancelled: false })).toEqual({ status: 'refunded', refundedAmount: 100 });
    expect(orderStatus({ revenue: 100, refunded: 20, cancelled: true })).toEqual({ status: 'cancelled', refundedAmount: 20 });
  });

  it('counts spend net of refunds, and no longer counts a cancelled or fully refunded order', () => {
    // given three orders of 100, when one is cancelled, one refunded in part and one kept
    const net = netSpend(spend, [
      { currency: 'USD', revenue: 100, refunded: null, cancelled: true },
      { currency: 'USD', revenue: 100, refunded: 40, cancelled: false },
    ]);
    // then two orders count, for 160
    expect(net).toEqual([{ currency: 'USD', orders: 2, revenue: 160, lastOrderAt: 3_000 }]);
    expect(netSpend(spend, [{ currency: 'USD', revenue: 100, refunded: 100, cancelled: false }])).toEqual([{ currency: 'USD', orders: 2, revenue: 200, lastOrderAt: 3_000 }]);
  });

  it('shows the net figures in the computed traits: orders count, total and average', () => {
    const computed = computeTraits({
      span: { firstSeenAt: 1_000, lastSeenAt: 3_000 },
      spend,
      adjustedOrders: [{ currency: 'USD', revenue: 100, refunded: 50, cancelled: false }],
      affinities: [],
      ageBand: null,
    });
    expect(computed).toMatchObject({ ordersCount: 3, totalSpend: { USD: 250 }, averageOrderValue: { USD: 83.33 } });
    const allCancelled = computeTraits({ span: { firstSeenAt: 1_000, lastSeenAt: 3_000 }, spend: [{ ...spend[0]!, orders: 1, revenue: 100 }], adjustedOrders: [{ currency: 'USD', revenue: 100, refunded: null, cancelled: true }], affinities: [], ageBand: null });
    expect(allCancelled).toMatchObject({ ordersCount: 0, totalSpend: {}, averageOrderValue: {} });
  });
});
