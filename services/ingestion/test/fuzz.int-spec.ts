import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { TOPICS, type DeadLetter } from '@cdp/contracts';
import { postSegment, SETUP_TIMEOUT_MS, startIngestion, TopicReader, type IngestionHarness } from './support/ingestion-harness';

const SINGLE_PATHS = ['/v1/track', '/v1/identify', '/v1/page', '/v1/screen', '/v1/group', '/v1/alias'];
const BATCH_PATHS = ['/v1/batch', '/v1/import'];
const CLIENT_ERRORS = [400, 413, 415, 422];

/** Values a Segment field might hold, from plausible to hostile. */
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('', ' ', 'null', 'undefined', 'NaN', '0', '-1', '\u0000', '\ud800', '<script>', '__proto__', '9'.repeat(400), '2026-13-45T99:99:99Z'),
  fc.constantFrom(-1, 0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1),
);

const segmentCall = fc.record(
  {
    type: fc.oneof(fc.constantFrom('track', 'identify', 'page', 'screen', 'group', 'alias', 'TRACK', 'delete', ''), hostileValue),
    userId: hostileValue,
    anonymousId: hostileValue,
    messageId: hostileValue,
    event: fc.oneof(fc.constantFrom('Order Completed', 'Product Added', 'Order Refunded'), hostileValue),
    timestamp: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), hostileValue),
    sentAt: hostileValue,
    context: fc.oneof(fc.dictionary(fc.string(), hostileValue, { maxKeys: 4 }), hostileValue),
    traits: fc.oneof(fc.record({ email: hostileValue, phone: hostileValue }, { requiredKeys: [] }), hostileValue),
    properties: fc.oneof(
      fc.record({ order_id: hostileValue, revenue: hostileValue, currency: hostileValue, products: fc.oneof(fc.array(fc.record({ price: hostileValue, quantity: hostileValue }, { requiredKeys: [] }), { maxLength: 3 }), hostileValue) }, { requiredKeys: [] }),
      hostileValue,
    ),
    ['__proto__']: hostileValue,
    constructor: hostileValue,
  },
  { requiredKeys: [] },
);

/** Calls a well-behaved client would send, with hostile values where Segment allows anything. */
const plausibleCall = fc.record({
  userId: fc.uuid(),
  event: fc.constantFrom('Order Completed', 'Product Viewed', 'Signed Up'),
  name: fc.string(),
  groupId: fc.uuid(),
  previousId: fc.uuid(),
  properties: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  traits: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
});

/** Bodies that are not even JSON objects: broken text, binary, odd encodings. */
const brokenBody = fc.oneof(
  fc.string({ maxLength: 200 }).map((s) => `{${s}`),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom('', 'null', '[]', '"str"', '{"batch": 1}', '{"batch": null}', '[{"batch": []}]', '\ufeff{}', '{"a":1}{"b":2}', `${'['.repeat(20_000)}${']'.repeat(20_000)}`),
  fc.constant(`{"userId": "u", "event": "Deep", "properties": {"a": ${'['.repeat(5_000)}${']'.repeat(5_000)}}, "context": {"traits": ${'{"x":'.repeat(2_000)}1${'}'.repeat(2_000)}}}`),
);

describe('ingestion under hostile input', () => {
  let h: IngestionHarness;
  let deadLetters: TopicReader<DeadLetter>;
  let source: { id: string; writeKey: string };

  beforeAll(async () => {
    h = await startIngestion('fuzz');
    deadLetters = await TopicReader.start(h.kafka, h.topic(TOPICS.ingestDeadLetter), h.serde);
    source = await h.createSource({ defaultPhoneRegion: 'CN', timezone: 'Asia/Shanghai', rateLimitPerSecond: 10_000_000 });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await deadLetters?.stop();
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  const problemOrSuccess = async (res: Response) => {
    const text = await res.text();
    if (res.status === 200) return JSON.parse(text) as { success: true; rejected?: Array<{ index: number; code: string }> };
    expect({ status: res.status, body: text, allowed: CLIENT_ERRORS.includes(res.status) }).toMatchObject({ allowed: true });
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(text)).toMatchObject({ status: res.status, code: expect.any(String) });
    return undefined;
  };

  it('answers every hostile single call with 200 or a precise 4xx problem, never a 5xx', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SINGLE_PATHS), fc.oneof(segmentCall, plausibleCall, brokenBody), fc.boolean(), async (path, body, gzip) => {
        const text = Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body);
        const res = await postSegment(h.url, path, source.writeKey, gzip ? gzipSync(text) : text, gzip ? { 'content-encoding': 'gzip' } : {});
        statuses.add(res.status);
        const answer = await problemOrSuccess(res);
        if (answer) expect(answer).toEqual({ success: true });
      }),
      { numRuns: 300 },
    );
    // Both ways out were exercised: some hostile calls still make valid events, most do not.
    expect([...statuses].sort()).toEqual(expect.arrayContaining([200, 400, 422]));
  });

  it('dead-letters every rejected item of hostile batches with its original bytes, and stays up', async () => {
    let rejectedItems = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...BATCH_PATHS), fc.array(fc.oneof(segmentCall, plausibleCall.map((call) => ({ type: 'track', ...call })), hostileValue), { maxLength: 12 }), async (path, batch) => {
        const res = await postSegment(h.url, path, source.writeKey, JSON.stringify({ batch, sentAt: new Date().toISOString() }));
        const answer = await problemOrSuccess(res);
        expect(answer).toBeDefined();
        rejectedItems += answer!.rejected!.length;
        for (const { index } of answer!.rejected!) {
          const original = Buffer.from(JSON.stringify(batch[index]));
          await deadLetters.waitFor((d) => d.data.sourceId === source.id && d.data.originalValue.equals(original));
        }
      }),
      { numRuns: 150 },
    );
    expect(rejectedItems).toBeGreaterThan(0);
    expect(deadLetters.records.filter((r) => r.value.data.sourceId === source.id).length).toBeGreaterThanOrEqual(rejectedItems);

    for (const body of ['{"batch": ', '{"batch": {}}', '[]']) expect(CLIENT_ERRORS).toContain((await postSegment(h.url, '/v1/batch', source.writeKey, body)).status);
    expect((await fetch(`${h.url}/health/live`)).status).toBe(200);
  });

  it('dead-letters a batch item nested deep enough to exhaust a recursive walk, keeping its neighbours', async () => {
    const deep = `{"type": "track", "userId": "deep", "event": "Deep", "properties": {"a": ${'['.repeat(5_000)}${']'.repeat(5_000)}}}`;
    const res = await postSegment(h.url, '/v1/batch', source.writeKey, `{"batch": [${deep}, {"type": "track", "userId": "shallow", "event": "Fine"}]}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rejected: unknown[] }).rejected).toEqual([{ index: 0, code: 'INVALID_FIELD', field: null, message: expect.stringContaining('deeper than') }]);
    await deadLetters.waitFor((d) => d.data.originalValue.toString('utf8') === deep);

    const deepContext = await postSegment(h.url, '/v1/batch', source.writeKey, `{"context": ${'{"x":'.repeat(3_000)}1${'}'.repeat(3_000)}, "batch": []}`);
    expect(deepContext.status).toBe(422);
    expect(await deepContext.json()).toMatchObject({ code: 'INVALID_BATCH', field: 'context' });
  });
});
