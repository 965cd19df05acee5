import type { SpendTotals } from './computed-traits';

/** What a refund or cancellation event says about an order (by its order id). */
export interface OrderAdjustmentFact {
  readonly orderKey: string;
  readonly eventId: string;
  readonly at: number;
  readonly kind: 'refunded' | 'cancelled';
  /** The amount refunded; null: the whole order (a refund naming no amount, or any cancellation). */
  readonly amount: number | null;
  readonly sourceId: string;
}

export type OrderStatus = 'completed' | 'partially_refunded' | 'refunded' | 'cancelled';

/** An order of the merge group with the adjustments of the group that name it, added up. */
export interface AdjustedOrder {
  readonly currency: string;
  readonly revenue: number;
  /** Sum of the refunds (a refund without amount counts as the order's revenue); null: none. */
  readonly refunded: number | null;
  readonly cancelled: boolean;
}

/**
 * The status and refunded amount of an order: cancelled once any cancellation names it; else
 * refunded once its refunds reach its revenue, partially refunded below that; refunds add up and
 * are capped at the revenue (a refund repeated under another event id counts again, as it would in
 * the shop's books).
 */
export function orderStatus(order: Pick<AdjustedOrder, 'revenue' | 'refunded' | 'cancelled'>): { status: OrderStatus; refundedAmount: number } {
  const refundedAmount = order.refunded === null ? 0 : Math.min(round2(order.refunded), order.revenue);
  if (order.cancelled) return { status: 'cancelled', refundedAmount };
  if (order.refunded !== null && refundedAmount >= order.revenue) return { status: 'refunded', refundedAmount };
  return { status: refundedAmount > 0 ? 'partially_refunded' : 'completed', refundedAmount };
}

/**
 * Spend net of refunds and cancellations (the counters hold every order as placed): a cancelled or
 * fully refunded order no longer counts (neither in the number of orders nor in revenue); a partly
 * refunded one counts with its revenue less the refunds. Average order value follows: net revenue
 * over the orders that still count.
 */
export function netSpend(spend: readonly SpendTotals[], adjusted: readonly AdjustedOrder[]): SpendTotals[] {
  const out = new Map(spend.map((s) => [s.currency, { ...s }]));
  for (const order of adjusted) {
    const row = out.get(order.currency);
    if (!row) continue;
    const { status, refundedAmount } = orderStatus(order);
    if (status === 'cancelled' || status === 'refunded') {
      row.orders -= 1;
      row.revenue -= order.revenue;
    } else {
      row.revenue -= refundedAmount;
    }
  }
  return [...out.values()].map((s) => ({ ...s, orders: Math.max(0, s.orders), revenue: s.orders <= 0 ? 0 : round2(Math.max(0, s.revenue)) }));
}

function round2(amount: number): number {
  return Math.round(amount * 100) / 100;
}
