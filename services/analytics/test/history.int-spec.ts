import { TOPICS } from '@cdp/contracts';
import { type AnalyticsHarness, resolvedRecords, SETUP_TIMEOUT_MS, startAnalytics } from './support/analytics-harness';
import { orderCompleted, product, PROFILE_SPLIT, PROFILES_MERGED, profileSplit, profilesMerged, resolvedEvent } from './support/resolved-events';

const day = (d: number, h = 10) => Date.UTC(2026, 0, d, h);

describe('behavioural history sink', () => {
  let h: AnalyticsHarness;
  beforeAll(async () => {
    h = await startAnalytics('analytics-history');
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  const db = () => h.config.clickhouse.database;

  describe('replays', () => {
    const profileId = 'replay-profile';
    const events = [
      orderCompleted({ profileId, occurredAt: day(3), orderId: 'r-1', revenue: 30, products: [product({ sku: 'A', price: 10, quantity: 3 })] }),
      orderCompleted({ profileId, occurredAt: day(40), orderId: 'r-2', revenue: 12.5, products: [product({ sku: 'B', price: 12.5 }), product({ sku: 'C', price: 0 })] }),
      resolvedEvent({ profileId, occurredAt: day(41), type: 'identify', traits: { gender: 'female', age: 30 } }),
      resolvedEvent({ profileId, occurredAt: day(41, 11), type: 'page', name: 'Home' }),
    ];

    it('writes each resolved event, its order lines and its attributes', async () => {
      await h.produce(TOPICS.identityResolvedEvents, resolvedRecords(events));
      await h.waitUntilConsumed(TOPICS.identityResolvedEvents);
      expect(await h.rows(`SELECT event_name, order_id, toString(revenue) AS revenue, item_count FROM ${db()}.events FINAL WHERE profile_id = '${profileId}' ORDER BY occurred_at`)).toEqual([
        { event_name: 'Order Completed', order_id: 'r-1', revenue: '30', item_count: 1 },
        { event_name: 'Order Completed', order_id: 'r-2', revenue: '12.5', item_count: 2 },
        { event_name: '', order_id: '', revenue: null, item_count: 0 },
        { event_name: '', order_id: '', revenue: null, item_count: 0 },
      ]);
      expect(await h.rows(`SELECT sku, quantity FROM ${db()}.order_items FINAL WHERE profile_id = '${profileId}' ORDER BY occurred_at, line`)).toEqual([
        { sku: 'A', quantity: 3 },
        { sku: 'B', quantity: 1 },
        { sku: 'C', quantity: 1 },
      ]);
      expect(await h.rows(`SELECT attribute, value FROM ${db()}.profile_attributes FINAL WHERE profile_id = '${profileId}' ORDER BY attribute`)).toEqual([
        { attribute: 'age_band', value: '25-34' },
        { attribute: 'channel', value: 'web' },
        { attribute: 'gender', value: 'female' },
      ]);
    });

    it('adds no rows when a batch is written again because its offsets were never committed', async () => {
      // What a crash between the ClickHouse insert and the Postgres commit leaves behind: the rows
      // are in ClickHouse, while Postgres still holds the position from before the batch and does
      // not know its event ids (Kafka's own committed offsets, written after Postgres, are ahead).
      const replayedAfter = Date.now();
      await h.restart(async () => {
        const topic = `${h.prefix}${TOPICS.identityResolvedEvents.name}`;
        await h.sql('UPDATE analytics.consumer_offsets SET next_offset = 0 WHERE topic = $1', [topic]);
        await h.sql('DELETE FROM analytics.processed_events WHERE topic = $1', [topic]);
      });
      await h.waitUntilConsumed(TOPICS.identityResolvedEvents);

      const counts = await h.rows<{ table: string; rows: string }>(
        `SELECT * FROM (
           SELECT 'events' AS table, toString(count()) AS rows FROM ${db()}.events FINAL WHERE profile_id = '${profileId}'
           UNION ALL SELECT 'order_items', toString(count()) FROM ${db()}.order_items FINAL WHERE profile_id = '${profileId}'
           UNION ALL SELECT 'profile_attributes', toString(count()) FROM ${db()}.profile_attributes FINAL WHERE profile_id = '${profileId}'
         ) ORDER BY table`,
      );
      expect(counts).toEqual([
        { table: 'events', rows: '4' },
        { table: 'order_items', rows: '3' },
        { table: 'profile_attributes', rows: '3' },
      ]);
      // The batch really was written again: the surviving copies are the replayed ones.
      const [written] = await h.rows<{ oldest: string }>(
        `SELECT toString(toUnixTimestamp64Milli(min(inserted_at))) AS oldest FROM ${db()}.events FINAL WHERE profile_id = '${profileId}'`,
      );
      expect(Number(written!.oldest)).toBeGreaterThanOrEqual(replayedAfter);
      expect(await h.rows(`SELECT toString(count()) AS n FROM ${db()}.customer_events WHERE profile_id = '${profileId}'`)).toEqual([{ n: '4' }]);
    });
  });

  describe('PII', () => {
    const email = 'Ada.Lovelace@Example.com';
    const phone = '+4915112345678';
    const ip = '203.0.113.77';

    it('keeps no plaintext email, phone, name or IP anywhere in ClickHouse', async () => {
      const identifiers = [
        { type: 'email', value: email.toLowerCase() },
        { type: 'phone', value: phone },
        { type: 'member_card', value: 'MC-314159' },
      ];
      const events = [
        resolvedEvent({
          profileId: 'pii-profile',
          occurredAt: day(5),
          type: 'identify',
          userId: 'pii-user-1',
          identifiers,
          traits: { email: email.toLowerCase(), phone, firstName: 'Ada', lastName: 'Lovelace', name: 'Ada Lovelace', birthday: '1990-12-10', address: { street: '12 Analytical Row', city: 'London', postalCode: 'N1 9GU', country: 'GB' } },
          context: { ip, traits: { email: email.toLowerCase() }, page: { url: `https://shop.example/account?email=${encodeURIComponent(email)}` }, cdp: { invalidIdentifiers: { 'traits.email': `${email}.` } } },
        }),
        orderCompleted({
          profileId: 'pii-profile',
          occurredAt: day(6),
          orderId: 'pii-order',
          revenue: 10,
          identifiers,
          properties: { orderId: 'pii-order', revenue: 10, buyer: { contact: email, card: 'MC-314159' }, note: `call ${phone} or write to ${email}` },
          context: { ip, userAgent: 'Mozilla/5.0' },
          products: [product({ name: 'Lovelace notes' })],
        }),
      ];
      await h.produce(TOPICS.identityResolvedEvents, resolvedRecords(events));
      await h.waitUntilConsumed(TOPICS.identityResolvedEvents);
      expect(await h.rows(`SELECT toString(count()) AS n FROM ${db()}.events FINAL WHERE profile_id = 'pii-profile'`)).toEqual([{ n: '2' }]);

      const tables = await h.rows<{ name: string }>(`SELECT name FROM system.tables WHERE database = '${db()}' AND engine NOT LIKE '%View' ORDER BY name`);
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['events', 'order_items', 'profile_attributes', 'profile_aliases']));
      for (const { name } of tables) {
        const dump = (await (await h.clickhouse().client.query({ query: `SELECT * FROM ${db()}.${name}`, format: 'JSONEachRow' })).text()).toLowerCase();
        for (const secret of [email.toLowerCase(), encodeURIComponent(email).toLowerCase(), phone, '15112345678', ip, 'ada lovelace', 'analytical row', 'n1 9gu', '1990-12-10', 'mc-314159', 'pii-user-1']) {
          expect({ table: name, found: dump.includes(secret) ? secret : null }).toEqual({ table: name, found: null });
        }
      }
      // What is not personal stays: the coarse location and the age band, the product name.
      expect(await h.rows(`SELECT attribute, value FROM ${db()}.profile_attributes FINAL WHERE profile_id = 'pii-profile' ORDER BY attribute`)).toEqual([
        { attribute: 'age_band', value: '35-44' },
        { attribute: 'channel', value: 'web' },
        { attribute: 'city', value: 'London' },
        { attribute: 'country', value: 'GB' },
      ]);
    });
  });

  describe('merges and splits', () => {
    const survivor = 'merge-survivor';
    const merged = 'merge-absorbed';
    const mergeAt = day(20);
    const track = (profileId: string, occurredAt: number, orderId: string, revenue: number) =>
      orderCompleted({ profileId, occurredAt, orderId, revenue, products: [product({ price: revenue })] });
    const perProfile = () =>
      h.rows<{ profile_id: string; orders: string; revenue: string }>(
        `SELECT profile_id, toString(count()) AS orders, toString(sum(revenue)) AS revenue FROM ${db()}.customer_events
         WHERE profile_id IN ('${survivor}', '${merged}') GROUP BY profile_id ORDER BY profile_id`,
      );

    it("moves the merged profile's history to the survivor, and a split moves it back", async () => {
      await h.produce(
        TOPICS.identityResolvedEvents,
        resolvedRecords([track(survivor, day(10), 'm-1', 10), track(merged, day(11), 'm-2', 20), track(merged, day(12), 'm-3', 30)]),
      );
      await h.waitUntilConsumed(TOPICS.identityResolvedEvents);
      expect(await perProfile()).toEqual([
        { profile_id: merged, orders: '2', revenue: '50' },
        { profile_id: survivor, orders: '1', revenue: '10' },
      ]);

      const merge = profilesMerged({ survivor, merged: [merged], occurredAt: mergeAt });
      await h.produce(TOPICS.identityProfileMerged, [{ key: survivor, schema: PROFILES_MERGED, value: merge }]);
      await h.waitUntilConsumed(TOPICS.identityProfileMerged);
      expect(await perProfile()).toEqual([{ profile_id: survivor, orders: '3', revenue: '60' }]);

      // After the merge, identity resolves the absorbed profile's identifiers to the survivor.
      await h.produce(TOPICS.identityResolvedEvents, resolvedRecords([track(survivor, day(21), 'm-4', 40)]));
      await h.waitUntilConsumed(TOPICS.identityResolvedEvents);
      expect(await perProfile()).toEqual([{ profile_id: survivor, orders: '4', revenue: '100' }]);

      const split = profileSplit({ profileId: survivor, restored: [merged], occurredAt: day(22), undoneMergeId: merge.data.mergeId });
      await h.produce(TOPICS.identityProfileMerged, [{ key: survivor, schema: PROFILE_SPLIT, value: split }]);
      await h.waitUntilConsumed(TOPICS.identityProfileMerged);
      // Events resolved before the merge go back; the one resolved to the survivor after it stays.
      expect(await perProfile()).toEqual([
        { profile_id: merged, orders: '2', revenue: '50' },
        { profile_id: survivor, orders: '2', revenue: '50' },
      ]);
    });
  });
});
