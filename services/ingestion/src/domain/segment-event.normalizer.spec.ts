import type { IngestedEvent } from '@cdp/contracts';
import {
  type NormalizeEnv,
  type NormalizeResult,
  type Rejection,
  type SegmentCallType,
  type SourceContext,
  normalizeSegmentEvent,
  SEGMENT_LIMITS,
} from './index';

const RECEIVED_AT = Date.parse('2024-03-15T08:00:00.000Z');

const webShop: SourceContext = { sourceId: 'src_web', channel: 'web', storeId: null, defaultPhoneRegion: 'CN', timezone: 'Asia/Shanghai' };
const shanghaiPos: SourceContext = { sourceId: 'src_pos', channel: 'pos', storeId: 'store-sh-01', defaultPhoneRegion: 'CN', timezone: 'Asia/Shanghai' };

function env(overrides: Partial<NormalizeEnv> = {}): NormalizeEnv {
  let n = 0;
  return { receivedAt: RECEIVED_AT, newMessageId: () => `assigned-${++n}`, ...overrides };
}

function when(raw: unknown, type?: SegmentCallType, source: SourceContext = webShop, overrides: Partial<NormalizeEnv> = {}): NormalizeResult {
  return normalizeSegmentEvent(raw, type, source, env(overrides));
}

function accepted(result: NormalizeResult): IngestedEvent {
  if (!result.ok) throw new Error(`expected the event to be accepted, got ${JSON.stringify(result.rejection)}`);
  return result.event;
}

function rejected(result: NormalizeResult): Rejection {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.event)}`);
  return result.rejection;
}

function json(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

/** The shape analytics.js sends for `analytics.track('Article Bookmarked', {...})`. */
const analyticsJsTrack = {
  anonymousId: '23adfd82-aa0f-45a7-a756-24f2a7a4c895',
  context: {
    library: { name: 'analytics.js', version: '2.11.1' },
    page: { path: '/academy/', referrer: '', search: '', title: 'Analytics Academy', url: 'https://segment.com/academy/' },
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_2) AppleWebKit/537.36',
    ip: '108.0.78.21',
  },
  event: 'Article Bookmarked',
  integrations: {},
  messageId: 'ajs-f8ca1e4de5024d9430b3928bd8ac6b96',
  properties: { title: 'Snow Fall', subtitle: 'The Avalanche at Tunnel Creek', author: 'John Branch' },
  receivedAt: '2015-12-12T19:11:01.266Z',
  sentAt: '2015-12-12T19:11:01.169Z',
  timestamp: '2015-12-12T19:11:01.249Z',
  type: 'track',
  userId: 'AiUGstSDIg',
  originalTimestamp: '2015-12-12T19:11:01.152Z',
};

describe('normalizeSegmentEvent', () => {
  describe('given an analytics.js track call', () => {
    it('keeps the envelope, lays the client interval back from receipt, and stamps the source', () => {
      const event = accepted(when(analyticsJsTrack, 'track'));
      expect(event).toMatchObject({
        messageId: 'ajs-f8ca1e4de5024d9430b3928bd8ac6b96',
        type: 'track',
        event: 'Article Bookmarked',
        name: null,
        userId: 'AiUGstSDIg',
        anonymousId: '23adfd82-aa0f-45a7-a756-24f2a7a4c895',
        // sent 17 ms after it happened, by the device's own clock
        timestamp: RECEIVED_AT - 17,
        originalTimestamp: Date.parse('2015-12-12T19:11:01.152Z'),
        sentAt: Date.parse('2015-12-12T19:11:01.169Z'),
        receivedAt: RECEIVED_AT,
        sourceId: 'src_web',
        channel: 'web',
        commerce: null,
      });
      expect(json(event.properties)).toEqual(analyticsJsTrack.properties);
      expect(json(event.context)).toEqual(analyticsJsTrack.context);
      expect(json(event.integrations)).toEqual({});
      expect(json(event.traits)).toEqual({});
    });

    it('does not mutate the payload it was given', () => {
      const payload = structuredClone({ ...analyticsJsTrack, properties: { email: ' X@Y.COM ' } });
      const before = JSON.stringify(payload);
      accepted(when(payload, 'track'));
      expect(JSON.stringify(payload)).toBe(before);
    });
  });

  describe('given an analytics.js identify call', () => {
    const identify = {
      anonymousId: '507f191e810c19729de860ea',
      context: { ip: '8.8.8.8', userAgent: 'Mozilla/5.0', traits: { email: 'Peter@Example.com ' } },
      messageId: '022bb90c-bbac-11e4-8dfc-aa07a5b093db',
      sentAt: '2015-02-23T22:28:55.387Z',
      originalTimestamp: '2015-02-23T22:28:55.111Z',
      traits: { name: '  Peter Gibbons ', email: ' PETER@Example.COM', plan: 'premium', logins: 5, phone: '+1 (650) 253-0000' },
      type: 'identify',
      userId: '97980cfea0067',
    };

    it('cleans the traits and context.traits, which stay where they were sent', () => {
      const event = accepted(when(identify, 'identify'));
      expect(event.type).toBe('identify');
      expect(json(event.traits)).toEqual({ name: 'Peter Gibbons', email: 'peter@example.com', plan: 'premium', logins: 5, phone: '+16502530000' });
      expect(json(event.context)).toEqual({ ip: '8.8.8.8', userAgent: 'Mozilla/5.0', traits: { email: 'peter@example.com' } });
      expect(event.timestamp).toBe(RECEIVED_AT - 276);
    });
  });

  describe('given an analytics.js page call', () => {
    const page = {
      anonymousId: '507f191e810c19729de860ea',
      category: 'Docs',
      name: 'Home',
      properties: { title: 'Welcome | Initech', url: 'http://www.example.com', path: '/' },
      type: 'page',
      userId: '97980cfea0067',
      timestamp: '2015-02-23T22:28:55.111Z',
    };

    it('puts the name in its field and the category into the properties', () => {
      const event = accepted(when(page, 'page'));
      expect(event).toMatchObject({ type: 'page', name: 'Home', event: null, timestamp: Date.parse('2015-02-23T22:28:55.111Z'), originalTimestamp: Date.parse('2015-02-23T22:28:55.111Z'), sentAt: null });
      expect(json(event.properties)).toEqual({ ...page.properties, category: 'Docs' });
    });

    it('accepts a screen call the same way', () => {
      const event = accepted(when({ type: 'screen', name: ' Cart ', userId: 'u1' }));
      expect(event).toMatchObject({ type: 'screen', name: 'Cart', timestamp: RECEIVED_AT });
    });
  });

  describe('given an Order Completed from the e-commerce spec', () => {
    const orderCompleted = {
      type: 'track',
      event: 'Order Completed',
      userId: 'user-1',
      properties: {
        checkout_id: 'fksdjfsdjfisjf9sdfjsd9f',
        order_id: '50314b8e9bcf000000000000',
        affiliation: 'Google Store',
        total: 27.5,
        subtotal: 22.5,
        revenue: 25.0,
        shipping: 3,
        tax: 2,
        discount: 2.5,
        coupon: 'hasbros',
        currency: 'usd',
        products: [
          { product_id: '507f1f77bcf86cd799439011', sku: '45790-32', name: 'Monopoly: 3rd Edition', price: 19, quantity: 1, category: 'Games', url: 'https://www.example.com/product/path', image_url: 'https:///www.example.com/product/path.jpg' },
          { product_id: '505bd76785ebb509fc183733', sku: '46493-32', name: 'Uno Card Game', price: 3, quantity: 2, category: 'Games', brand: 'Mattel', variant: 'classic' },
        ],
      },
    };

    it('lifts the order into the typed commerce record and keeps every property as JSON', () => {
      const event = accepted(when(orderCompleted, 'track'));
      expect(event.commerce).toEqual({
        orderId: '50314b8e9bcf000000000000',
        revenue: 25,
        currency: 'USD',
        discount: 2.5,
        tax: 2,
        shipping: 3,
        coupon: 'hasbros',
        storeId: null,
        products: [
          { productId: '507f1f77bcf86cd799439011', sku: '45790-32', name: 'Monopoly: 3rd Edition', category: 'Games', brand: null, variant: null, price: 19, quantity: 1 },
          { productId: '505bd76785ebb509fc183733', sku: '46493-32', name: 'Uno Card Game', category: 'Games', brand: 'Mattel', variant: 'classic', price: 3, quantity: 2 },
        ],
      });
      expect(json(event.properties)).toEqual({ ...orderCompleted.properties, currency: 'USD' });
    });

    it('stamps the source store on a POS receipt that names none', () => {
      const event = accepted(when(orderCompleted, 'track', shanghaiPos));
      expect(event.commerce?.storeId).toBe('store-sh-01');
      expect(event.channel).toBe('pos');
    });

    it('renames a loosely spelled ecommerce event to the spec name and remembers the spelling', () => {
      const event = accepted(when({ ...orderCompleted, event: 'order_completed' }, 'track'));
      expect(event.event).toBe('Order Completed');
      expect(json(event.context)).toEqual({ cdp: { originalEvent: 'order_completed' } });
    });

    it('rejects a negative price with the path of the product line', () => {
      const products = [...orderCompleted.properties.products, { product_id: 'x', price: '-1.00' }];
      expect(rejected(when({ ...orderCompleted, properties: { ...orderCompleted.properties, products } }, 'track'))).toMatchObject({
        code: 'INVALID_AMOUNT',
        field: 'properties.products[2].price',
      });
    });

    it('rejects an unknown currency, naming the field', () => {
      expect(rejected(when({ ...orderCompleted, properties: { ...orderCompleted.properties, currency: 'dollars' } }, 'track'))).toMatchObject({
        code: 'INVALID_CURRENCY',
        field: 'properties.currency',
      });
    });
  });

  describe('given a /v1/batch item', () => {
    const batchItem = { type: 'identify', userId: 'u-7', traits: { plan: 'gold' }, timestamp: '2024-03-15T07:59:00.000Z' };

    it('takes the type from the item, the batch sentAt for skew, and merges the item context over the batch context', () => {
      const event = accepted(
        when({ ...batchItem, context: { library: { version: '2.0.0' }, ip: '1.2.3.4' } }, undefined, webShop, {
          batchSentAt: '2024-03-15T07:59:30.000Z',
          batchContext: { library: { name: 'analytics-python', version: '1.0.0' }, locale: 'zh-CN' },
        }),
      );
      expect(event.type).toBe('identify');
      expect(event.sentAt).toBe(Date.parse('2024-03-15T07:59:30.000Z'));
      expect(event.timestamp).toBe(RECEIVED_AT - 30_000);
      expect(json(event.context)).toEqual({ library: { name: 'analytics-python', version: '2.0.0' }, locale: 'zh-CN', ip: '1.2.3.4' });
    });

    it("prefers the item's own sentAt over the batch's", () => {
      const event = accepted(when({ ...batchItem, sentAt: '2024-03-15T07:59:10.000Z' }, undefined, webShop, { batchSentAt: '2024-03-15T07:59:30.000Z' }));
      expect(event.timestamp).toBe(RECEIVED_AT - 10_000);
    });

    it('names a malformed batch sentAt as a batch field', () => {
      expect(rejected(when(batchItem, undefined, webShop, { batchSentAt: 'yesterday' }))).toMatchObject({ code: 'INVALID_TIMESTAMP', field: '(batch).sentAt' });
    });

    it('rejects an item without a type', () => {
      expect(rejected(when({ userId: 'u' }))).toMatchObject({ code: 'INVALID_TYPE', field: 'type' });
      expect(rejected(when({ userId: 'u', type: 'purchase' }))).toMatchObject({ code: 'INVALID_TYPE', field: 'type' });
    });
  });

  describe('the endpoint type', () => {
    it('wins over the type in the body', () => {
      expect(accepted(when({ type: 'identify', userId: 'u', event: 'Signed Up' }, 'track')).type).toBe('track');
    });
  });

  describe('messageId', () => {
    it('is kept when the client sent a usable one', () => {
      expect(accepted(when({ userId: 'u', messageId: ' m-1 ' }, 'identify')).messageId).toBe('m-1');
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['blank', '   '],
      ['a number', 12],
      ['over 100 characters', 'm'.repeat(101)],
    ])('is assigned when %s', (_label, messageId) => {
      expect(accepted(when({ userId: 'u', messageId }, 'identify')).messageId).toBe('assigned-1');
    });
  });

  describe('identifiers', () => {
    it('turns numbers into strings and trims', () => {
      expect(accepted(when({ userId: 1234, anonymousId: '  a-1 ' }, 'identify'))).toMatchObject({ userId: '1234', anonymousId: 'a-1' });
    });

    it.each(['', '  ', 'null', 'NULL', 'undefined', 'Undefined'])('drops the placeholder %j', (placeholder) => {
      expect(accepted(when({ userId: placeholder, anonymousId: 'a-1' }, 'identify')).userId).toBeNull();
    });

    it('rejects a call whose only id is a placeholder', () => {
      expect(rejected(when({ userId: 'null', event: 'X' }, 'track'))).toMatchObject({ code: 'MISSING_IDENTITY', field: 'userId' });
    });

    it('rejects an id that is neither a string nor a number', () => {
      expect(rejected(when({ userId: { id: 1 } }, 'identify'))).toMatchObject({ code: 'INVALID_FIELD', field: 'userId' });
      expect(rejected(when({ userId: 'u', anonymousId: true }, 'identify'))).toMatchObject({ code: 'INVALID_FIELD', field: 'anonymousId' });
    });

    it('requires previousId and userId on an alias; an anonymousId does not stand in', () => {
      expect(accepted(when({ previousId: 'anon-1', userId: 'u-1' }, 'alias'))).toMatchObject({ type: 'alias', previousId: 'anon-1', userId: 'u-1' });
      expect(rejected(when({ userId: 'u-1' }, 'alias'))).toMatchObject({ code: 'MISSING_IDENTITY', field: 'previousId' });
      expect(rejected(when({ previousId: 'anon-1', anonymousId: 'anon-2' }, 'alias'))).toMatchObject({ code: 'MISSING_IDENTITY', field: 'userId' });
    });

    it('requires a groupId on a group call', () => {
      expect(accepted(when({ groupId: 0, userId: 'u', traits: { name: ' Initech ' } }, 'group'))).toMatchObject({ groupId: '0', traits: '{"name":"Initech"}' });
      expect(rejected(when({ userId: 'u', groupId: 'null' }, 'group'))).toMatchObject({ code: 'MISSING_GROUP_ID', field: 'groupId' });
    });
  });

  describe('track event name', () => {
    it.each([undefined, null, '', '   '])('is required (%j)', (event) => {
      expect(rejected(when({ userId: 'u', event }, 'track'))).toMatchObject({ code: 'MISSING_EVENT_NAME', field: 'event' });
    });

    it('must be a string', () => {
      expect(rejected(when({ userId: 'u', event: ['Signed Up'] }, 'track'))).toMatchObject({ code: 'INVALID_FIELD', field: 'event' });
    });
  });

  describe('objects', () => {
    it.each(['context', 'traits', 'properties', 'integrations'])('rejects a %s that is not an object', (key) => {
      expect(rejected(when({ userId: 'u', event: 'X', [key]: 'oops' }, 'track'))).toMatchObject({ code: 'INVALID_FIELD', field: key });
    });

    it('treats null objects as empty', () => {
      const event = accepted(when({ userId: 'u', event: 'X', context: null, properties: null }, 'track'));
      expect([event.context, event.properties]).toEqual(['{}', '{}']);
    });

    it('rejects a batch context that is not an object', () => {
      expect(rejected(when({ userId: 'u' }, 'identify', webShop, { batchContext: [1] }))).toMatchObject({ code: 'INVALID_FIELD', field: '(batch).context' });
    });

    it('rejects anything but an object', () => {
      for (const raw of [null, 'track', 3, [], [{ type: 'track' }]]) expect(rejected(when(raw))).toMatchObject({ code: 'NOT_AN_OBJECT', field: null });
    });

    it('keeps __proto__ keys as data and never alters prototypes', () => {
      const raw = JSON.parse('{"type":"track","userId":"u","event":"X","properties":{"__proto__":{"polluted":true},"a":1},"context":{"__proto__":{"x":1}}}') as unknown;
      const event = accepted(when(raw, undefined, webShop, { batchContext: JSON.parse('{"__proto__":{"polluted":true}}') }));
      expect(json(event.properties)).toEqual(JSON.parse('{"__proto__":{"polluted":true},"a":1}'));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('ignores inherited names such as toString or constructor', () => {
      expect(rejected(when({ type: 'constructor', userId: 'u' }))).toMatchObject({ code: 'INVALID_TYPE' });
    });

    it('does not let the client write ingestion notes in context.cdp', () => {
      const event = accepted(when({ userId: 'u', event: 'X', context: { cdp: { invalidIdentifiers: { forged: true } } } }, 'track'));
      expect(json(event.context)).toEqual({});
    });

    it('does not carry a writeKey put in the body into the event', () => {
      const event = accepted(when({ userId: 'u', event: 'X', writeKey: 'secret' }, 'track'));
      expect(JSON.stringify(event)).not.toContain('secret');
    });
  });

  describe('cleaning', () => {
    it('moves an invalid email out of the traits and records it in context.cdp', () => {
      const event = accepted(when({ userId: 'u', traits: { email: 'n/a', firstName: ' 小明 ' }, context: { traits: { email: 'foo@' } } }, 'identify'));
      expect(json(event.traits)).toEqual({ firstName: '小明' });
      expect(json(event.context)).toEqual({ traits: {}, cdp: { invalidIdentifiers: { 'traits.email': 'n/a', 'context.traits.email': 'foo@' } } });
    });

    it('writes phones as E.164 in the source region and keeps invalid ones out of the traits', () => {
      const event = accepted(when({ userId: 'u', traits: { phone: '138 0013 8000', mobile: '12345' } }, 'identify', shanghaiPos));
      expect(json(event.traits)).toEqual({ phone: '+8613800138000' });
      expect(json(event.context)).toEqual({ cdp: { invalidIdentifiers: { 'traits.mobile': '12345' } } });
    });

    it('cleans properties.email on a track call', () => {
      const event = accepted(when({ userId: 'u', event: 'Newsletter Subscribed', properties: { email: ' Li.Lei@Example.CN' } }, 'track'));
      expect(json(event.properties)).toEqual({ email: 'li.lei@example.cn' });
    });

    it('upper-cases a currency on any track event and rejects an unknown one', () => {
      expect(json(accepted(when({ userId: 'u', event: 'Gift Card Bought', properties: { currency: ' cny ' } }, 'track')).properties)).toEqual({ currency: 'CNY' });
      expect(rejected(when({ userId: 'u', event: 'Gift Card Bought', properties: { currency: 'RMB' } }, 'track'))).toMatchObject({ code: 'INVALID_CURRENCY', field: 'properties.currency' });
    });
  });

  describe('timestamps', () => {
    it('without sentAt, takes the client timestamp as given (historical import)', () => {
      const event = accepted(when({ userId: 'u', event: 'Order Completed', timestamp: '1997-01-01T00:00:00Z' }, 'track'));
      expect(event).toMatchObject({ timestamp: Date.parse('1997-01-01T00:00:00Z'), originalTimestamp: Date.parse('1997-01-01T00:00:00Z') });
    });

    it('corrects a device clock that is years off', () => {
      const event = accepted(when({ userId: 'u', event: 'X', originalTimestamp: '1970-01-01T00:00:05Z', sentAt: '1970-01-01T00:00:07Z' }, 'track'));
      expect(event.timestamp).toBe(RECEIVED_AT - 2000);
    });

    it('accepts epoch milliseconds', () => {
      expect(accepted(when({ userId: 'u', event: 'X', timestamp: 1_710_489_000_000 }, 'track')).timestamp).toBe(1_710_489_000_000);
    });

    it('reads a timestamp without offset in the source time zone', () => {
      expect(accepted(when({ userId: 'u', event: 'X', timestamp: '2024-03-15 09:30:00' }, 'track', shanghaiPos)).timestamp).toBe(Date.parse('2024-03-15T01:30:00Z'));
    });

    it('rejects epoch seconds sent as milliseconds, naming the field', () => {
      expect(rejected(when({ userId: 'u', event: 'X', timestamp: 1_710_489_000 }, 'track'))).toMatchObject({ code: 'INVALID_TIMESTAMP', field: 'timestamp' });
    });

    it('rejects an uncorrected time more than a day ahead', () => {
      expect(rejected(when({ userId: 'u', event: 'X', timestamp: '2024-03-17T08:00:00Z' }, 'track'))).toMatchObject({ code: 'INVALID_TIMESTAMP', field: 'timestamp' });
    });

    it.each(['timestamp', 'originalTimestamp', 'sentAt'])('rejects an unparseable %s', (field) => {
      expect(rejected(when({ userId: 'u', event: 'X', [field]: '15/03/2024' }, 'track'))).toMatchObject({ code: 'INVALID_TIMESTAMP', field });
    });
  });

  describe('size', () => {
    it('rejects an event over 32 KB of JSON', () => {
      const big = { userId: 'u', event: 'X', properties: { blob: 'x'.repeat(SEGMENT_LIMITS.maxEventBytes) } };
      expect(rejected(when(big, 'track'))).toMatchObject({ code: 'EVENT_TOO_LARGE', field: null });
    });

    it('counts bytes, not characters', () => {
      // 11,000 CJK characters are 33,000 bytes of UTF-8
      expect(rejected(when({ userId: 'u', event: 'X', properties: { note: '好'.repeat(11_000) } }, 'track'))).toMatchObject({ code: 'EVENT_TOO_LARGE' });
      expect(accepted(when({ userId: 'u', event: 'X', properties: { note: 'x'.repeat(30_000) } }, 'track')).event).toBe('X');
    });

    it('measures the call as sent when the caller knows its size', () => {
      // Whitespace and escapes a client sent count, though a re-serialisation would drop them.
      const small = { userId: 'u', event: 'X' };
      expect(rejected(when(small, 'track', webShop, { sentBytes: SEGMENT_LIMITS.maxEventBytes + 1 }))).toMatchObject({ code: 'EVENT_TOO_LARGE', message: expect.stringContaining(`${SEGMENT_LIMITS.maxEventBytes + 1} bytes`) });
      expect(accepted(when(small, 'track', webShop, { sentBytes: SEGMENT_LIMITS.maxEventBytes })).event).toBe('X');
    });
  });

  it('names the field and says what is wrong in every rejection message', () => {
    const rejection = rejected(when({ userId: 'u', event: 'Product Added', properties: { quantity: 'two' } }, 'track'));
    expect(rejection).toEqual({ code: 'INVALID_AMOUNT', field: 'properties.quantity', message: 'properties.quantity "two" is not a number' });
  });
});
