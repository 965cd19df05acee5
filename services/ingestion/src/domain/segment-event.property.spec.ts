import { latestSchema } from '@cdp/contracts';
import * as avro from 'avsc';
import fc from 'fast-check';
import { ECOMMERCE_EVENTS, normalizeSegmentEvent, REJECTION_CODES, SEGMENT_CALL_TYPES, type SourceContext } from './index';

const ingestedEventType = avro.Type.forSchema(latestSchema('cdp.ingest.IngestedEvent').schema as avro.Schema);
const RECEIVED_AT = Date.parse('2024-03-15T08:00:00.000Z');

const sources = fc.record<SourceContext>({
  sourceId: fc.constantFrom('src_web', 'src_pos'),
  channel: fc.constantFrom('web', 'pos', 'miniprogram'),
  storeId: fc.option(fc.constant('store-1')),
  defaultPhoneRegion: fc.constantFrom(null, 'CN', 'US', 'XX'),
  timezone: fc.constantFrom(null, 'Asia/Shanghai', 'America/New_York', 'Not/AZone'),
});

/** Values that are sometimes right and often wrong for any field: what buggy and hostile clients send. */
const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('', ' ', 'null', 'undefined', '__proto__', 'constructor', '-1', '1e400', 'NaN'),
  fc.constantFrom('2024-03-15T07:59:00Z', '2024-03-15 07:59', '1997-01-01', '2099-01-01T00:00:00Z', 1_710_489_000_000, 1_710_489_000),
  fc.constantFrom('a@b.com', ' X@Y.CN ', 'n/a', '13800138000', '+1 650 253 0000', 'usd', 'RMB'),
  fc.integer(),
  fc.double(),
);

const product = fc.dictionary(fc.constantFrom('product_id', 'sku', 'name', 'price', 'quantity', 'brand', 'category', 'variant', 'id', 'currency'), fieldValue, { maxKeys: 6 });

const properties = fc.oneof(
  fc.dictionary(
    fc.constantFrom('order_id', 'orderId', 'revenue', 'total', 'subtotal', 'tax', 'shipping', 'discount', 'coupon', 'currency', 'store_id', 'email', 'phone', 'price', 'quantity', 'product_id', 'sku', '__proto__'),
    fieldValue,
    { maxKeys: 8 },
  ),
  fc.record({ products: fc.oneof(fc.array(product, { maxLength: 4 }), fieldValue), currency: fc.constantFrom('usd', 'CNY', 'eur') }, { requiredKeys: [] }),
  fieldValue,
);

const traits = fc.oneof(
  fc.dictionary(fc.constantFrom('email', 'phone', 'mobile', 'name', 'firstName', 'last_name', 'plan'), fieldValue, { maxKeys: 5 }),
  fieldValue,
);

/** Segment-shaped calls with random, often wrong, field values: reaches the deep paths random JSON never does. */
const segmentish = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...SEGMENT_CALL_TYPES), fieldValue),
    event: fc.oneof(fc.constantFrom('Order Completed', 'order_completed', 'Product Added', 'Cart Viewed', 'Product Viewed', 'Signed Up', ''), fieldValue),
    name: fieldValue,
    category: fieldValue,
    userId: fc.oneof(fc.constantFrom('u-1', 'null', ''), fieldValue),
    anonymousId: fc.oneof(fc.constant('a-1'), fieldValue),
    previousId: fieldValue,
    groupId: fieldValue,
    messageId: fc.oneof(fc.uuid(), fieldValue),
    timestamp: fieldValue,
    originalTimestamp: fieldValue,
    sentAt: fieldValue,
    context: fc.oneof(fc.record({ traits, ip: fc.constant('1.2.3.4'), cdp: fieldValue }, { requiredKeys: [] }), fieldValue),
    traits,
    properties,
    integrations: fieldValue,
  },
  { requiredKeys: [] },
);

/** Mostly valid ecommerce calls with one or two odd values, so the commerce mapping is exercised too. */
const amount = fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 1000 }).map(String), fieldValue);
const plausibleCommerce = fc.record({
  type: fc.constant('track'),
  userId: fc.constantFrom('u-1', 'u-2'),
  event: fc.constantFrom(...Object.keys(ECOMMERCE_EVENTS), 'order_completed', 'PRODUCT ADDED'),
  properties: fc.record(
    {
      order_id: fc.oneof(fc.uuid(), fc.integer()),
      revenue: amount,
      total: amount,
      tax: amount,
      currency: fc.constantFrom('usd', 'CNY', 'EUR', 'jpy'),
      product_id: fc.string(),
      price: amount,
      products: fc.array(fc.record({ sku: fc.string(), price: amount, quantity: fc.oneof(fc.integer({ min: 0, max: 10 }), fieldValue) }, { requiredKeys: [] }), { maxLength: 5 }),
    },
    { requiredKeys: [] },
  ),
});

const calls = fc.oneof(fc.jsonValue(), segmentish, plausibleCommerce);

describe('normalizeSegmentEvent on arbitrary input', () => {
  it('never throws; answers an event the Avro contract accepts, or a rejection with a known code, a field and a message', () => {
    fc.assert(
      fc.property(
        calls,
        fc.option(fc.constantFrom(...SEGMENT_CALL_TYPES), { nil: undefined }),
        sources,
        fc.option(fieldValue, { nil: undefined }),
        fc.option(fc.oneof(fc.record({ library: fc.record({ name: fc.string() }) }), fieldValue), { nil: undefined }),
        (raw, type, source, batchSentAt, batchContext) => {
          const before = JSON.stringify(raw);
          const result = normalizeSegmentEvent(raw, type, source, { receivedAt: RECEIVED_AT, newMessageId: () => 'assigned', batchSentAt, batchContext });
          expect(JSON.stringify(raw)).toBe(before);
          if (result.ok) {
            const errors: string[] = [];
            const valid = ingestedEventType.isValid(result.event, { errorHook: (path) => errors.push(path.join('.')) });
            expect({ valid, errors }).toEqual({ valid: true, errors: [] });
            expect(ingestedEventType.fromBuffer(ingestedEventType.toBuffer(result.event))).toEqual(result.event);
            for (const json of [result.event.context, result.event.traits, result.event.properties, result.event.integrations]) {
              expect(typeof JSON.parse(json)).toBe('object');
            }
            expect(result.event.userId ?? result.event.anonymousId ?? (result.event.type === 'alias' ? result.event.previousId : null)).not.toBeNull();
          } else {
            expect(REJECTION_CODES).toContain(result.rejection.code);
            expect(result.rejection.message.length).toBeGreaterThan(0);
            if (result.rejection.code !== 'NOT_AN_OBJECT' && result.rejection.code !== 'EVENT_TOO_LARGE') expect(result.rejection.field).not.toBeNull();
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reaches both outcomes, so the property above is not vacuous', () => {
    const outcomes = new Set<string>();
    fc.assert(
      fc.property(fc.oneof(segmentish, plausibleCommerce), sources, (raw, source) => {
        const result = normalizeSegmentEvent(raw, undefined, source, { receivedAt: RECEIVED_AT, newMessageId: () => 'assigned' });
        outcomes.add(result.ok ? (result.event.commerce ? 'commerce' : 'ok') : result.rejection.code);
      }),
      { numRuns: 3000, seed: 42 },
    );
    for (const outcome of ['ok', 'commerce', 'INVALID_TYPE', 'MISSING_IDENTITY', 'INVALID_TIMESTAMP', 'INVALID_FIELD', 'INVALID_AMOUNT']) expect([...outcomes]).toContain(outcome);
  });
});
