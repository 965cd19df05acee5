import type { IngestedEvent, ResolvedEvent } from '@cdp/contracts';
import { exampleProgramme } from '../domain/spec-support';
import { commandsOfResolved } from './input-commands';

function resolvedEvent(event: Partial<IngestedEvent>): ResolvedEvent {
  const ingested: IngestedEvent = {
    messageId: 'm-1',
    type: 'track',
    event: 'Order Completed',
    name: null,
    anonymousId: null,
    userId: 'u-1',
    previousId: null,
    groupId: null,
    timestamp: 1_000,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: 1_000,
    sourceId: 'web',
    channel: 'web',
    context: '{}',
    traits: '{}',
    properties: '{}',
    commerce: null,
    integrations: '{}',
    ...event,
  };
  return { id: 'm-1', type: 'EventResolved', occurredAt: 1_000, data: { profileId: 'p-1', profileCreated: false, identifiers: [], event: ingested }, metadata: { correlationId: null, causationId: null, producer: 'identity', schemaVersion: 1 } };
}

const commerce = (orderId: string, revenue: number | null) => ({ orderId, revenue, currency: 'USD', discount: null, tax: null, shipping: null, coupon: null, storeId: null, products: [] });

describe('what resolved events ask of a programme', () => {
  const programme = exampleProgramme({
    referral: { referrerPoints: 10, refereePoints: 10, minimumOrderValue: null, referrerLimit: null },
    earningRules: [
      { id: 'base', name: 'base', kind: 'purchase', currency: 'USD', pointsPerUnit: 1, rounding: 'floor' },
      { id: 'app', name: 'app', kind: 'activity', activity: 'custom', eventName: 'App Installed', points: 5 },
    ],
  });

  it('records an order with its commerce record, in the event time, for the resolved profile', () => {
    const { commands, profileIds } = commandsOfResolved(resolvedEvent({ event: 'order_completed', commerce: { ...commerce('o-1', 12.5), products: [{ sku: 'S', productId: null, name: null, category: 'Music', brand: null, price: 12.5, quantity: 1, variant: null }] } }), programme);
    expect(profileIds).toEqual(['p-1']);
    expect(commands).toEqual([
      { type: 'RecordOrder', profileId: 'p-1', eventId: 'm-1', occurredAt: 1_000, order: { orderId: 'o-1', revenue: 12.5, currency: 'USD', products: [{ sku: 'S', category: 'Music', brand: null, price: 12.5, quantity: 1 }] } },
    ]);
  });

  it('refunds the amount given (or everything when none is), and cancels in full', () => {
    const refund = (event: string, revenue: number | null, properties = '{}') => commandsOfResolved(resolvedEvent({ event, commerce: commerce('o-1', revenue), properties }), programme).commands[0];
    expect(refund('Order Refunded', 5, '{"refund_id":"r-9"}')).toMatchObject({ type: 'RecordRefund', orderId: 'o-1', amount: 5, refundId: 'r-9', reason: 'refund' });
    expect(refund('Order Refunded', null)).toMatchObject({ amount: null, refundId: null, reason: 'refund' });
    expect(refund('Order Cancelled', 40)).toMatchObject({ amount: null, reason: 'cancellation' });
  });

  it('links a referral before recording the sign-up that carries its code', () => {
    const { commands, referralCodes } = commandsOfResolved(resolvedEvent({ event: 'Signed Up', properties: '{"referral_code":"ABC123"}' }), programme);
    expect(commands.map((c) => c.type)).toEqual(['ApplyReferralCode', 'RecordActivity']);
    expect(referralCodes).toEqual(['ABC123']);
  });

  it('records custom events only when a rule of the programme names them, and ignores everything else', () => {
    expect(commandsOfResolved(resolvedEvent({ event: 'app installed' }), programme).commands).toMatchObject([{ type: 'RecordActivity', activity: 'custom', name: 'app installed' }]);
    expect(commandsOfResolved(resolvedEvent({ event: 'Product Viewed' }), programme).commands).toEqual([]);
    expect(commandsOfResolved(resolvedEvent({ type: 'page', event: null, name: 'Home' }), programme).commands).toEqual([]);
    expect(commandsOfResolved(resolvedEvent({ event: 'Order Refunded', commerce: null }), programme).commands).toEqual([]);
  });
});
