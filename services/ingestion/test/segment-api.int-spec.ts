import { Analytics } from '@segment/analytics-node';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { TOPICS, type DeadLetter, type IngestedEvent } from '@cdp/contracts';
import { closedPort } from '@cdp/service-kit/testing';
import { DedupePruner } from '../src/application/dedupe-pruner';
import { postSegment, SETUP_TIMEOUT_MS, startIngestion, TopicReader, type IngestionHarness } from './support/ingestion-harness';

describe('ingestion Segment API', () => {
  let h: IngestionHarness;
  let events: TopicReader<IngestedEvent>;
  let deadLetters: TopicReader<DeadLetter>;
  let source: { id: string; writeKey: string };

  beforeAll(async () => {
    h = await startIngestion('segment-api');
    events = await TopicReader.start(h.kafka, h.topic(TOPICS.ingestEvents), h.serde);
    deadLetters = await TopicReader.start(h.kafka, h.topic(TOPICS.ingestDeadLetter), h.serde);
    source = await h.createSource({ channel: 'web', defaultPhoneRegion: 'US', storeId: 'store-7' });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await events?.stop();
    await deadLetters?.stop();
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  const byUser = (userId: string) => (e: IngestedEvent) => e.userId === userId;

  it('takes track, identify and page calls from the official Segment Node client, cleaned, keyed by userId, on the topic in Avro', async () => {
    const userId = `user-${randomUUID()}`;
    const analytics = new Analytics({ writeKey: source.writeKey, host: h.url, flushAt: 3, flushInterval: 50, maxRetries: 0 });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    analytics.identify({ userId, traits: { email: '  Ada.Lovelace@Example.COM ', phone: '(415) 555-2671', firstName: ' Ada ' } });
    analytics.track({ userId, event: 'Order Completed', properties: { order_id: 'o-1', revenue: 30, currency: 'usd', products: [{ product_id: 'p-1', price: 10, quantity: 3 }] } });
    analytics.page({ userId, name: 'Home', properties: { url: 'https://shop.example.com/' } });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);

    const received = await events.waitFor(byUser(userId), 3);
    expect(received.map((r) => r.value.type).sort()).toEqual(['identify', 'page', 'track']);
    for (const record of received) {
      expect(record.key).toBe(userId);
      expect(record.value).toMatchObject({ sourceId: source.id, channel: 'web' });
    }
    const identify = received.find((r) => r.value.type === 'identify')!.value;
    expect(JSON.parse(identify.traits)).toMatchObject({ email: 'ada.lovelace@example.com', phone: '+14155552671', firstName: 'Ada' });
    const track = received.find((r) => r.value.type === 'track')!.value;
    expect(track.event).toBe('Order Completed');
    expect(track.commerce).toMatchObject({ orderId: 'o-1', revenue: 30, currency: 'USD' });
    expect(received.find((r) => r.value.type === 'page')!.value.name).toBe('Home');

    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`cdp_ingestion_events_total\\{[^}]*source_id="${source.id}"[^}]*outcome="accepted"[^}]*\\} [3-9]`));
  });

  it('answers single calls exactly like Segment, and accepts the write key in the body', async () => {
    const userId = `user-${randomUUID()}`;
    const res = await postSegment(h.url, '/v1/track', null, { writeKey: source.writeKey, userId, event: 'Product Viewed', properties: { product_id: 'p-9' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true });
    await events.waitFor(byUser(userId));
  });

  it('accepts gzip-compressed bodies', async () => {
    const userId = `user-${randomUUID()}`;
    const body = gzipSync(JSON.stringify({ batch: [{ type: 'track', userId, event: 'Cart Viewed' }] }));
    const res = await postSegment(h.url, '/v1/batch', source.writeKey, body, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, rejected: [] });
    await events.waitFor(byUser(userId));
  });

  it('lets browsers call it from any origin: CORS preflight and headers', async () => {
    const preflight = await fetch(`${h.url}/v1/batch`, { method: 'OPTIONS', headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const userId = `user-${randomUUID()}`;
    const res = await postSegment(h.url, '/v1/page', source.writeKey, { userId, name: 'Cart' }, { origin: 'https://shop.example.com', 'content-type': 'text/plain' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    await events.waitFor(byUser(userId));
  });

  it('answers 401 without a write key or with a wrong one, as problem+json', async () => {
    const call = { userId: 'u', event: 'Signed Up' };
    for (const [key, code] of [[null, 'WRITE_KEY_MISSING'], ['not-a-key', 'WRITE_KEY_INVALID']] as const) {
      const res = await postSegment(h.url, '/v1/track', key, call);
      expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status: 401, type: 'application/problem+json; charset=utf-8' });
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic/);
      expect(await res.json()).toMatchObject({ status: 401, code });
    }
  });

  it('answers 400 to malformed JSON and to a gzip header over plain bytes', async () => {
    const malformed = await postSegment(h.url, '/v1/track', source.writeKey, '{"userId": "u", "event": ');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ code: 'MALFORMED_JSON' });
    const notGzip = await postSegment(h.url, '/v1/batch', source.writeKey, '{"batch": []}', { 'content-encoding': 'gzip' });
    expect(notGzip.status).toBe(400);
    expect(await notGzip.json()).toMatchObject({ code: 'MALFORMED_BODY' });
  });

  it('answers 413 to an event over 32 KB and to a batch over 500 KB, compressed or not', async () => {
    const bigEvent = { userId: 'u', event: 'Big', properties: { blob: 'x'.repeat(33 * 1024) } };
    const single = await postSegment(h.url, '/v1/track', source.writeKey, bigEvent);
    expect(single.status).toBe(413);
    expect(await single.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });

    const bigBatch = { batch: Array.from({ length: 20 }, () => ({ type: 'track', userId: 'u', event: 'Big', properties: { blob: 'y'.repeat(30 * 1024) } })) };
    expect((await postSegment(h.url, '/v1/batch', source.writeKey, bigBatch)).status).toBe(413);
    // Compresses to a few KB: the limit applies to the decompressed body.
    const compressed = await postSegment(h.url, '/v1/batch', source.writeKey, gzipSync(JSON.stringify(bigBatch)), { 'content-encoding': 'gzip' });
    expect(compressed.status).toBe(413);
  });

  it('answers 422 naming the field when a single call is not a valid event, and keeps it on the dead-letter topic', async () => {
    const userId = `user-${randomUUID()}`;
    const call = `{"userId": "${userId}", "properties": {}}`;
    const res = await postSegment(h.url, '/v1/track', source.writeKey, call);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ status: 422, code: 'INVALID_EVENT', field: 'event', reason: 'MISSING_EVENT_NAME' });
    const [dead] = await deadLetters.waitFor((d) => d.data.sourceId === source.id && d.data.originalValue.includes(userId), 1);
    expect(dead.value.data).toMatchObject({ reason: 'MISSING_EVENT_NAME', sourceId: source.id });
    expect(dead.value.data.originalValue.toString('utf8')).toBe(call);
  });

  it('produces a messageId once however often it arrives, within a request and across requests', async () => {
    const userId = `user-${randomUUID()}`;
    const messageId = `m-${randomUUID()}`;
    const call = { type: 'track', userId, messageId, event: 'Order Completed', properties: { order_id: 'o-2', revenue: 5 } };
    const first = await postSegment(h.url, '/v1/batch', source.writeKey, { batch: [call, call] });
    expect(first.status).toBe(200);
    const again = await postSegment(h.url, '/v1/track', source.writeKey, call);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ success: true });
    // Same key, same partition: once the marker is on the topic, any duplicate would be too.
    await postSegment(h.url, '/v1/track', source.writeKey, { userId, event: 'Marker' });
    await events.waitFor((e) => e.userId === userId && e.event === 'Marker');
    expect(events.records.filter((r) => r.value.messageId === messageId)).toHaveLength(1);
    const rows = await h.sql<{ source_id: string }>('SELECT source_id FROM ingestion.received_messages WHERE message_id = $1', [messageId]);
    expect(rows).toEqual([{ source_id: source.id }]);
  });

  it('produces each messageId once when many concurrent requests share them (deliveries of several requests)', async () => {
    const userId = `user-${randomUUID()}`;
    const ids = Array.from({ length: 60 }, (_, i) => `m-${i}-${randomUUID()}`);
    // Request r carries ids r*5 .. r*5+9: every id arrives in two requests sent at the same time.
    const requests = Array.from({ length: 11 }, (_, r) => ids.slice(r * 5, r * 5 + 10));
    const answers = await Promise.all(
      requests.map((slice) => postSegment(h.url, '/v1/batch', source.writeKey, { batch: slice.map((messageId) => ({ type: 'track', userId, messageId, event: 'Product Viewed' })) })),
    );
    expect(answers.map((a) => a.status)).toEqual(requests.map(() => 200));
    await postSegment(h.url, '/v1/track', source.writeKey, { userId, event: 'Marker' });
    await events.waitFor((e) => e.userId === userId && e.event === 'Marker');
    const produced = events.records.filter((r) => r.value.userId === userId && r.value.event === 'Product Viewed').map((r) => r.value.messageId);
    expect(produced.sort()).toEqual([...ids].sort());
    const rows = await h.sql<{ n: string }>('SELECT count(*) AS n FROM ingestion.received_messages WHERE message_id = ANY($1)', [ids]);
    expect(Number(rows[0]!.n)).toBe(ids.length);
  });

  it('deduplicates across instances: a messageId sent to two instances is produced once', async () => {
    const other = await h.startAnother({});
    const userId = `user-${randomUUID()}`;
    const call = { userId, messageId: `m-${randomUUID()}`, event: 'Coupon Applied', properties: { coupon_id: 'c-1' } };
    const answers = await Promise.all([postSegment(h.url, '/v1/track', source.writeKey, call), postSegment(other.url, '/v1/track', source.writeKey, call)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await postSegment(other.url, '/v1/track', source.writeKey, { userId, event: 'Marker' });
    await events.waitFor((e) => e.userId === userId && e.event === 'Marker');
    expect(events.records.filter((r) => r.value.messageId === call.messageId)).toHaveLength(1);
  });

  it('forgets messageIds older than the retention, and only those', async () => {
    const [oldId, recentId] = [`old-${randomUUID()}`, `recent-${randomUUID()}`];
    await h.sql(
      `INSERT INTO ingestion.received_messages (message_id, source_id, received_at) VALUES ($1, $3, now() - interval '27 hours'), ($2, $3, now() - interval '25 hours')`,
      [oldId, recentId, source.id],
    );
    expect(await h.service.app.get(DedupePruner).prune()).toBeGreaterThanOrEqual(1);
    const left = await h.sql<{ message_id: string }>('SELECT message_id FROM ingestion.received_messages WHERE message_id = ANY($1)', [[oldId, recentId]]);
    expect(left).toEqual([{ message_id: recentId }]);
  });

  it('takes historical data on /v1/import and text/plain bodies as analytics.js sends them', async () => {
    const userId = `user-${randomUUID()}`;
    const body = { batch: [{ type: 'track', userId, event: 'Order Completed', timestamp: '2014-03-02T10:00:00Z', properties: { order_id: 'h-1', revenue: 12 } }] };
    const res = await postSegment(h.url, '/v1/import', source.writeKey, body, { 'content-type': 'text/plain' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ success: true, rejected: [] });
    const [record] = await events.waitFor(byUser(userId));
    expect(record!.value.timestamp).toBe(Date.parse('2014-03-02T10:00:00Z'));
  });

  it('keeps the valid items of a batch and dead-letters the invalid ones with their original bytes', async () => {
    const userId = `user-${randomUUID()}`;
    const invalidTrack = `{ "type": "track",  "userId": "${userId}", "properties": {"note": "naïve café"} }`;
    const badCurrency = `{"type":"track","userId":"${userId}","event":"Order Completed","properties":{"order_id":"o-3","revenue":1,"currency":"ZZZ"}}`;
    const body = `{"sentAt": "${new Date().toISOString()}", "batch": [
      {"type": "track", "userId": "${userId}", "event": "Product Added", "properties": {"product_id": "p-1"}},
      ${invalidTrack},
      ${badCurrency},
      {"type": "identify", "userId": "${userId}", "traits": {"email": "B@EXAMPLE.COM"}},
      "not an event"
    ]}`;
    const res = await postSegment(h.url, '/v1/batch', source.writeKey, body);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { success: boolean; rejected: Array<{ index: number; code: string; field: string | null }> };
    expect(answer.success).toBe(true);
    expect(answer.rejected.map(({ index, code, field }) => ({ index, code, field }))).toEqual([
      { index: 1, code: 'MISSING_EVENT_NAME', field: 'event' },
      { index: 2, code: 'INVALID_CURRENCY', field: 'properties.currency' },
      { index: 4, code: 'NOT_AN_OBJECT', field: null },
    ]);

    const kept = await events.waitFor(byUser(userId), 2);
    expect(kept.map((r) => r.value.type).sort()).toEqual(['identify', 'track']);

    const dead = await deadLetters.waitFor((d) => d.data.sourceId === source.id && (d.data.originalValue.includes(userId) || d.data.originalValue.toString() === '"not an event"'), 3);
    const byReason = new Map(dead.map((d) => [d.value.data.reason, d.value.data]));
    expect(byReason.get('MISSING_EVENT_NAME')!.originalValue.toString('utf8')).toBe(invalidTrack);
    expect(byReason.get('INVALID_CURRENCY')!.originalValue.toString('utf8')).toBe(badCurrency);
    expect(byReason.get('NOT_AN_OBJECT')!.originalValue.toString('utf8')).toBe('"not an event"');
    expect(byReason.get('INVALID_CURRENCY')).toMatchObject({ sourceId: source.id, attempts: 1, sourceTopic: null });
  });

  it('answers 429 with Retry-After once a source exceeds its rate', async () => {
    const slow = await h.createSource({ channel: 'pos', rateLimitPerSecond: 2 });
    const call = (i: number) => ({ batch: [{ type: 'track', userId: `limited-${i}`, event: 'Receipt Printed' }, { type: 'track', userId: `limited-${i}`, event: 'Receipt Printed' }] });
    expect((await postSegment(h.url, '/v1/batch', slow.writeKey, call(1))).status).toBe(200);
    const limited = await postSegment(h.url, '/v1/batch', slow.writeKey, call(2));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('holds a source rate across instances: what one instance admitted, the other does not admit again', async () => {
    const other = await h.startAnother({});
    const limited = await h.createSource({ channel: 'pos', rateLimitPerSecond: 2 });
    const batch = (n: number) => ({ batch: Array.from({ length: n }, (_, i) => ({ type: 'track', userId: `shared-limit-${i}`, event: 'Receipt Printed' })) });
    // Six events at two per second: the bucket is in debt for 2.5 s before it holds a token again.
    expect((await postSegment(h.url, '/v1/batch', limited.writeKey, batch(6))).status).toBe(200);
    const onOther = await postSegment(other.url, '/v1/batch', limited.writeKey, batch(1));
    expect(onOther.status).toBe(429);
    expect(await onOther.json()).toMatchObject({ code: 'RATE_LIMITED' });
    const retryAfter = Number(onOther.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(2);
    expect((await postSegment(h.url, '/v1/batch', limited.writeKey, batch(1))).status).toBe(429);

    // Once the bucket has refilled, either instance admits again.
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await postSegment(other.url, '/v1/batch', limited.writeKey, batch(1))).status).toBe(200);
  });

  it('answers 503 while the schema registry cannot be reached, rather than dead-lettering valid events', async () => {
    const cut = await h.startAnother({ SCHEMA_REGISTRY_URL: `http://127.0.0.1:${await closedPort()}` });
    const userId = `user-${randomUUID()}`;
    const refused = await postSegment(cut.url, '/v1/batch', source.writeKey, { batch: [{ type: 'track', userId, event: 'Order Completed', properties: { order_id: 'o-5', revenue: 3 } }] });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ code: 'SCHEMA_REGISTRY_UNAVAILABLE' });
    expect(deadLetters.records.filter((d) => d.value.data.originalValue.includes(userId))).toEqual([]);
  });

  it('answers 503 with Retry-After when Kafka is unreachable, remembering no messageId, so the retry goes through', async () => {
    const cut = await h.startAnother({ KAFKA_BROKERS: `127.0.0.1:${await closedPort()}`, INGESTION_PRODUCE_TIMEOUT_MS: '1000' });
    const userId = `user-${randomUUID()}`;
    const messageId = `m-${randomUUID()}`;
    const call = { type: 'track', userId, messageId, event: 'Order Completed', properties: { order_id: 'o-4', revenue: 2 } };
    const refused = await postSegment(cut.url, '/v1/batch', source.writeKey, { batch: [call] });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ code: 'KAFKA_UNAVAILABLE' });
    expect(await h.sql('SELECT 1 FROM ingestion.received_messages WHERE message_id = $1', [messageId])).toEqual([]);

    const retried = await postSegment(h.url, '/v1/batch', source.writeKey, { batch: [call] });
    expect(retried.status).toBe(200);
    await events.waitFor((e) => e.messageId === messageId);
  });
});
