import { type IngestedEvent, TOPICS } from '@cdp/contracts';
import { Registry } from 'prom-client';
import { encodeEvents, EventProducer, type EventSerde, insertOutbox, KafkaRuntimeMetrics, OutboxRelay, silentLogger } from '../src';
import { ingestedEvent, readAll, RUNTIME_SCHEMA, type RuntimeHarness, startHarness, TEST_TOPICS, waitFor } from './support/runtime-harness';

// Real brokers and databases on a shared machine: allow for slow group joins.
jest.setTimeout(120_000);

const pendingRows = async (h: RuntimeHarness) =>
  Number((await h.pool.query(`SELECT count(*)::int AS n FROM ${RUNTIME_SCHEMA}.outbox WHERE published_at IS NULL`)).rows[0].n);

describe('OutboxRelay (real Kafka and Postgres)', () => {
  it('publishes every row once and keeps per-key order while several relays compete', async () => {
    const h = await startHarness('outbox-relay', TEST_TOPICS);
    const relays: OutboxRelay[] = [];
    const producers: EventProducer[] = [];
    try {
      const keys = Array.from({ length: 10 }, (_, k) => `anon-${k}`);
      const events: IngestedEvent[] = Array.from({ length: 600 }, (_, i) => ingestedEvent({ anonymousId: keys[i % keys.length], properties: JSON.stringify({ seq: i }) }));
      // Written by six "service transactions", as consumers would.
      for (let i = 0; i < events.length; i += 100) {
        const encoded = await encodeEvents(
          h.serde,
          events.slice(i, i + 100).map((value) => ({ topic: TOPICS.ingestEvents, key: value.anonymousId, schema: 'cdp.ingest.IngestedEvent', value })),
          h.prefix,
        );
        await h.runner((tx) => insertOutbox(tx, RUNTIME_SCHEMA, encoded));
      }

      const registry = new Registry();
      for (let r = 0; r < 3; r++) {
        const producer = new EventProducer(h.kafka, { logger: silentLogger });
        await producer.connect();
        producers.push(producer);
        const relay = new OutboxRelay({
          transactionRunner: h.runner,
          schema: RUNTIME_SCHEMA,
          producer,
          logger: silentLogger,
          metrics: KafkaRuntimeMetrics.for(registry),
          batchSize: 50,
          pollIntervalMs: 20,
        });
        relays.push(relay);
        relay.start();
      }
      await waitFor(() => pendingRows(h), (n) => n === 0, 'the relays to publish every row');
      await Promise.all(relays.map((r) => r.stop()));

      const records = await readAll(h.kafka, h.admin, h.topic(TOPICS.ingestEvents));
      const decoded = await Promise.all(records.map(async (m) => ({ key: m.key!.toString(), event: (await h.serde.decode<IngestedEvent>(m.value!)).value })));
      expect(decoded.map((d) => d.event.messageId).sort()).toEqual(events.map((e) => e.messageId).sort());
      for (const key of keys) {
        // readAll returns each partition in offset order; one key lives in one partition.
        const seqs = decoded.filter((d) => d.key === key).map((d) => (JSON.parse(d.event.properties) as { seq: number }).seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(seqs).toHaveLength(60);
      }
      const published = await registry.getSingleMetric('cdp_outbox_published_total')!.get();
      expect(published.values.reduce((sum, v) => sum + v.value, 0)).toBe(600);
      expect(await relays[0].measureLag()).toEqual({ pending: 0, lagSeconds: 0 });
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await Promise.all(producers.map((p) => p.disconnect()));
      await h.close();
    }
  });

  it('deletes each row once Kafka acknowledged it when published rows are not kept', async () => {
    const h = await startHarness('outbox-delete', TEST_TOPICS);
    const producer = new EventProducer(h.kafka, { logger: silentLogger });
    await producer.connect();
    const relay = new OutboxRelay({ transactionRunner: h.runner, schema: RUNTIME_SCHEMA, producer, logger: silentLogger, outboxRetentionMs: 0, pollIntervalMs: 20 });
    try {
      const events = Array.from({ length: 50 }, () => ingestedEvent());
      const encoded = await encodeEvents(h.serde, events.map((value) => ({ topic: TOPICS.ingestEvents, key: value.anonymousId, schema: 'cdp.ingest.IngestedEvent', value })), h.prefix);
      await h.runner((tx) => insertOutbox(tx, RUNTIME_SCHEMA, encoded));
      relay.start();
      const rows = async () => Number((await h.pool.query(`SELECT count(*)::int AS n FROM ${RUNTIME_SCHEMA}.outbox`)).rows[0].n);
      await waitFor(rows, (n) => n === 0, 'the relay to publish and delete every row');
      await relay.stop();
      const records = await readAll(h.kafka, h.admin, h.topic(TOPICS.ingestEvents));
      const ids = await Promise.all(records.map(async (m) => (await h.serde.decode<IngestedEvent>(m.value!)).value.messageId));
      expect(ids.sort()).toEqual(events.map((e) => e.messageId).sort());
    } finally {
      await relay.stop();
      await producer.disconnect();
      await h.close();
    }
  });

  it('publishes a row without value as a tombstone: the key with a null value, in order with the records before it', async () => {
    const h = await startHarness('outbox-tombstone', TEST_TOPICS);
    const producer = new EventProducer(h.kafka, { logger: silentLogger });
    await producer.connect();
    const relay = new OutboxRelay({ transactionRunner: h.runner, schema: RUNTIME_SCHEMA, producer, logger: silentLogger, outboxRetentionMs: 0, pollIntervalMs: 20 });
    try {
      const kept = ingestedEvent({ anonymousId: 'anon-kept' });
      const gone = ingestedEvent({ anonymousId: 'anon-gone' });
      const encoded = await encodeEvents(
        h.serde,
        [
          { topic: TOPICS.ingestEvents, key: 'anon-gone', schema: 'cdp.ingest.IngestedEvent', value: gone },
          { topic: TOPICS.ingestEvents, key: 'anon-kept', schema: 'cdp.ingest.IngestedEvent', value: kept },
          { topic: TOPICS.ingestEvents, key: 'anon-gone', schema: 'cdp.ingest.IngestedEvent', value: null, eventId: 'tombstone-anon-gone' },
        ],
        h.prefix,
      );
      expect(encoded[2]).toMatchObject({ eventId: 'tombstone-anon-gone', key: 'anon-gone', value: null });
      await h.runner((tx) => insertOutbox(tx, RUNTIME_SCHEMA, encoded));
      const { rows: stored } = await h.pool.query<{ event_id: string; value: Buffer | null }>(`SELECT event_id, value FROM ${RUNTIME_SCHEMA}.outbox ORDER BY id`);
      expect(stored.map((r) => r.value === null)).toEqual([false, false, true]);
      expect(stored[1]!.value!.equals(encoded[1]!.value!)).toBe(true);

      relay.start();
      const rows = async () => Number((await h.pool.query(`SELECT count(*)::int AS n FROM ${RUNTIME_SCHEMA}.outbox`)).rows[0].n);
      await waitFor(rows, (n) => n === 0, 'the relay to publish every row');
      await relay.stop();
      const records = (await readAll(h.kafka, h.admin, h.topic(TOPICS.ingestEvents))).filter((m) => m.key!.toString() === 'anon-gone');
      expect(records.map((m) => m.value === null)).toEqual([false, true]);
      expect(records[1]!.headers!['cdp-event-id']!.toString()).toBe('tombstone-anon-gone');
    } finally {
      await relay.stop();
      await producer.disconnect();
      await h.close();
    }
  });

  it('refuses a tombstone without a key or an event id', async () => {
    const serde: EventSerde = { encode: async () => Buffer.alloc(0), decode: async () => Promise.reject(new Error('not used')) };
    const tombstone = { topic: TOPICS.ingestEvents, schema: 'cdp.ingest.IngestedEvent', value: null };
    await expect(encodeEvents(serde, [{ ...tombstone, key: null, eventId: 'x' }])).rejects.toMatchObject({ code: 'KAFKA_EVENT_INVALID' });
    await expect(encodeEvents(serde, [{ ...tombstone, key: 'k' }])).rejects.toMatchObject({ code: 'KAFKA_EVENT_INVALID' });
  });

  it('prunes published rows and processed event ids past retention, never an unpublished row', async () => {
    const h = await startHarness('outbox-prune', TEST_TOPICS);
    try {
      const encoded = await encodeEvents(
        h.serde,
        Array.from({ length: 4 }, () => ingestedEvent()).map((value) => ({ topic: TOPICS.ingestEvents, key: null, schema: 'cdp.ingest.IngestedEvent', value })),
        h.prefix,
      );
      await h.runner((tx) => insertOutbox(tx, RUNTIME_SCHEMA, encoded));
      const [oldPublished, recentPublished, oldPending] = encoded.map((e) => e.eventId);
      await h.pool.query(`UPDATE ${RUNTIME_SCHEMA}.outbox SET created_at = now() - interval '30 days', published_at = now() - interval '10 days' WHERE event_id = $1`, [oldPublished]);
      await h.pool.query(`UPDATE ${RUNTIME_SCHEMA}.outbox SET published_at = now() - interval '1 day' WHERE event_id = $1`, [recentPublished]);
      await h.pool.query(`UPDATE ${RUNTIME_SCHEMA}.outbox SET created_at = now() - interval '30 days' WHERE event_id = $1`, [oldPending]);
      await h.pool.query(
        `INSERT INTO ${RUNTIME_SCHEMA}.processed_events (group_id, topic, event_id, partition, "offset", processed_at)
         VALUES ('g', 't', 'old', 0, 1, now() - interval '8 days'), ('g', 't', 'recent', 0, 2, now() - interval '6 days')`,
      );

      const relay = new OutboxRelay({
        transactionRunner: h.runner,
        schema: RUNTIME_SCHEMA,
        producer: { sendEncoded: async () => undefined },
        logger: silentLogger,
        outboxRetentionMs: 7 * 86_400_000,
        processedEventsRetentionMs: 7 * 86_400_000,
      });
      expect(await relay.prune()).toEqual({ outbox: 1, processedEvents: 1 });

      const { rows: outbox } = await h.pool.query<{ event_id: string }>(`SELECT event_id FROM ${RUNTIME_SCHEMA}.outbox`);
      expect(outbox.map((r) => r.event_id).sort()).toEqual(encoded.map((e) => e.eventId).filter((id) => id !== oldPublished).sort());
      const { rows: processed } = await h.pool.query<{ event_id: string }>(`SELECT event_id FROM ${RUNTIME_SCHEMA}.processed_events`);
      expect(processed.map((r) => r.event_id)).toEqual(['recent']);
    } finally {
      await h.close();
    }
  });
});
