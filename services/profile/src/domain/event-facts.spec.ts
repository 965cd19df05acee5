import type { IngestedEvent, ResolvedEvent } from '@cdp/contracts';
import { factsOf } from './event-facts';

function resolved(fields: Partial<IngestedEvent>, identifiers: ResolvedEvent['data']['identifiers'] = []): ResolvedEvent {
  const event: IngestedEvent = {
    messageId: 'm1',
    type: 'track',
    event: null,
    name: null,
    anonymousId: null,
    userId: 'u1',
    previousId: null,
    groupId: null,
    timestamp: 1_000,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: 1_000,
    sourceId: 'src-pos',
    channel: 'pos',
    context: '{}',
    traits: '{}',
    properties: '{}',
    commerce: null,
    integrations: '{}',
    ...fields,
  };
  return { id: event.messageId, type: 'EventResolved', occurredAt: event.timestamp, data: { profileId: 'p1', profileCreated: false, identifiers, event }, metadata: { correlationId: null, causationId: null, producer: 'identity', schemaVersion: 1 } };
}

describe('facts of a resolved event', () => {
  it('takes an identify call’s traits with its event time, set-once and unset members too', () => {
    const facts = factsOf(resolved({ type: 'identify', traits: JSON.stringify({ plan: 'gold', $set_once: { firstSource: 'ads' }, $unset: ['coupon'] }) }));
    expect(facts.traits).toEqual([
      { name: 'plan', mode: 'set', value: 'gold', at: 1_000, eventId: 'm1' },
      { name: 'firstSource', mode: 'once', value: 'ads', at: 1_000, eventId: 'm1' },
      { name: 'coupon', mode: 'set', value: null, at: 1_000, eventId: 'm1' },
    ]);
  });

  it('derives city, region and country from an address, and keeps the address as a contact point', () => {
    const address = { street: '1 Nanjing Rd', city: 'Shanghai', state: 'SH', country: 'CN' };
    const facts = factsOf(resolved({ type: 'identify', traits: JSON.stringify({ address }) }));
    expect(facts.traits.map((t) => [t.name, t.value])).toEqual([
      ['address', address],
      ['city', 'Shanghai'],
      ['region', 'SH'],
      ['country', 'CN'],
    ]);
    expect(facts.addresses).toEqual([{ value: address, at: 1_000 }]);
  });

  it('reads consents from identify traits and from consent events, with the event’s source', () => {
    const fromTraits = factsOf(resolved({ type: 'identify', traits: JSON.stringify({ consents: { marketing: { email: true, sms: false }, marketing_push: true } }) }));
    expect(fromTraits.consents.map((c) => [c.purpose, c.channel, c.granted, c.source])).toEqual([
      ['marketing', 'email', true, 'src-pos'],
      ['marketing', 'sms', false, 'src-pos'],
      ['marketing', 'push', true, 'src-pos'],
    ]);
    const revoked = factsOf(resolved({ event: 'Consent Revoked', properties: JSON.stringify({ channel: 'phone' }) }));
    expect(revoked.consents.map((c) => [c.purpose, c.channel, c.granted])).toEqual([['marketing', 'phone', false]]);
  });

  it('makes an order of Order Completed, keyed by its order id, with a currency even when none was sent', () => {
    const facts = factsOf(
      resolved({
        event: 'Order Completed',
        commerce: { orderId: 'o-9', revenue: null, currency: null, discount: null, tax: null, shipping: null, coupon: null, storeId: 'store-7', products: [{ sku: 's', productId: null, name: 'CD', category: 'Music', brand: 'Sony', price: 5, quantity: 3, variant: null }] },
      }),
    );
    expect(facts.order).toMatchObject({ orderKey: 'o-9', revenue: 15, currency: 'XXX', storeId: 'store-7', channel: 'pos' });
    expect(facts.storeId).toBe('store-7');
  });

  it('makes an interaction of a contact event', () => {
    const facts = factsOf(resolved({ event: 'Interaction Logged', channel: 'call_center', properties: JSON.stringify({ type: 'complaint', summary: 'late parcel', agent: 'ag-1', satisfaction: 2 }) }));
    expect(facts.interaction).toEqual({ id: 'm1', at: 1_000, channel: 'call_center', type: 'complaint', summary: 'late parcel', agent: 'ag-1', satisfaction: 2, sourceId: 'src-pos' });
  });
  it('reads a refund (amount from the record, else its products, else the whole order) and a cancellation by order id', () => {
    const commerce = { orderId: 'o-1', revenue: null, currency: 'USD', discount: null, tax: null, shipping: null, coupon: null, storeId: null, products: [] };
    const product = { sku: 's', productId: null, name: null, category: null, brand: null, price: 12.5, quantity: 2, variant: null };
    expect(factsOf(resolved({ event: 'Order Refunded', commerce: { ...commerce, revenue: 30 } })).orderAdjustment).toEqual({ orderKey: 'o-1', eventId: 'm1', at: 1_000, kind: 'refunded', amount: 30, sourceId: 'src-pos' });
    expect(factsOf(resolved({ event: 'Order Refunded', commerce: { ...commerce, products: [product] } })).orderAdjustment).toMatchObject({ kind: 'refunded', amount: 25 });
    expect(factsOf(resolved({ event: 'Order Refunded', commerce })).orderAdjustment).toMatchObject({ kind: 'refunded', amount: null });
    expect(factsOf(resolved({ event: 'Order Cancelled', commerce: { ...commerce, revenue: 99 } })).orderAdjustment).toMatchObject({ kind: 'cancelled', amount: null });
    // Without an order id there is nothing to adjust; neither event is an order of its own.
    const noId = factsOf(resolved({ event: 'Order Refunded', commerce: { ...commerce, orderId: null } }));
    expect([noId.orderAdjustment, noId.order]).toEqual([null, null]);
  });
});
