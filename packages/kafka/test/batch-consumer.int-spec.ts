import { AvroError } from '@cdp/avro';
import { type IngestedEvent, TOPICS } from '@cdp/contracts';
import { Registry } from 'prom-client';
import { BatchConsumer, type BatchHandlerFn, type EventSerde, EventProducer, silentLogger, subscribe } from '../src';
import { caughtUp, ingestedEvent, recordCount, RUNTIME_SCHEMA, type RuntimeHarness, startHarness, waitFor } from './support/runtime-harness';

// Real brokers and databases on a shared machine: allow for slow group joins.
jest.setTimeout(120_000);

const SINGLE_PARTITION = [{ ...TOPICS.ingestEvents, partitions: 1 }, TOPICS.ingestDeadLetter];

async function withState(label: string): Promise<RuntimeHarness> {
  const h = await startHarness(label, SINGLE_PARTITION);
  await h.pool.query('CREATE SCHEMA app');
  await h.pool.query('CREATE TABLE app.applied (event_id text NOT NULL, "offset" bigint NOT NULL)');
  return h;
}

const recordRows: BatchHandlerFn<IngestedEvent> = async (batch) => {
  await batch.tx.query(`INSERT INTO app.applied (event_id, "offset") SELECT * FROM unnest($1::text[], $2::bigint[])`, [
    batch.messages.map((m) => m.eventId),
    batch.messages.map((m) => m.offset),
  ]);
};

function consumer(h: RuntimeHarness, serde: EventSerde = h.serde): BatchConsumer {
  return new BatchConsumer({
    kafka: h.kafka,
    groupId: 'it-consumer',
    topicPrefix: h.prefix,
    subscriptions: [subscribe(TOPICS.ingestEvents, recordRows)],
    serde,
    transactionRunner: h.runner,
    schema: RUNTIME_SCHEMA,
    logger: silentLogger,
    registry: new Registry(),
    maxWaitTimeMs: 100,
    retry: { initialDelayMs: 5, maxDelayMs: 50 },
  });
}

async function produce(h: RuntimeHarness, events: IngestedEvent[]): Promise<void> {
  const producer = new EventProducer(h.kafka, { serde: h.serde, topicPrefix: h.prefix, logger: silentLogger });
  await producer.connect();
  await producer.send(events.map((value) => ({ topic: TOPICS.ingestEvents, key: value.anonymousId, schema: 'cdp.ingest.IngestedEvent', value })));
  await producer.disconnect();
}

const applied = async (h: RuntimeHarness) =>
  (await h.pool.query<{ event_id: string; n: number }>('SELECT event_id, count(*)::int AS n FROM app.applied GROUP BY event_id')).rows;

describe('BatchConsumer (real Kafka and Postgres)', () => {
  it('resumes from the offsets in Postgres even when Kafka committed further (database restored from a backup)', async () => {
    const h = await withState('pg-truth');
    try {
      const events = Array.from({ length: 50 }, () => ingestedEvent());
      await produce(h, events);
      const first = consumer(h);
      await first.start();
      await waitFor(() => caughtUp(h, first.groupId, h.topic(TOPICS.ingestEvents)), Boolean, 'the first run to finish');
      await first.stop();

      // Restore the database to how it was after offset 29; Kafka's committed offset stays at 50.
      await h.runner(async (tx) => {
        await tx.query('DELETE FROM app.applied WHERE "offset" >= 30');
        await tx.query(`DELETE FROM ${RUNTIME_SCHEMA}.processed_events WHERE "offset" >= 30`);
        await tx.query(`UPDATE ${RUNTIME_SCHEMA}.consumer_offsets SET next_offset = 30`);
      });
      const committed = await h.admin.fetchOffsets({ groupId: first.groupId, topics: [h.topic(TOPICS.ingestEvents)] });
      expect(committed[0].partitions[0].offset).toBe('50');

      const second = consumer(h);
      await second.start();
      try {
        await waitFor(() => applied(h), (rows) => rows.length === 50, 'the events after the restore point to be applied again');
        await waitFor(() => caughtUp(h, second.groupId, h.topic(TOPICS.ingestEvents)), Boolean, 'the second run to reach the log end');
      } finally {
        await second.stop();
      }
      const rows = await applied(h);
      expect(rows.every((r) => r.n === 1)).toBe(true);
      expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(events.map((e) => e.messageId)));
    } finally {
      await h.close();
    }
  });

  it('starts from the beginning of the log when Postgres holds no position, whatever Kafka committed (a projection rebuilt into an empty database)', async () => {
    const h = await withState('rebuild');
    try {
      const events = Array.from({ length: 20 }, () => ingestedEvent());
      await produce(h, events);
      const first = consumer(h);
      await first.start();
      await waitFor(() => caughtUp(h, first.groupId, h.topic(TOPICS.ingestEvents)), Boolean, 'the first run to finish');
      await first.stop();

      await h.runner(async (tx) => {
        await tx.query('DELETE FROM app.applied');
        await tx.query(`DELETE FROM ${RUNTIME_SCHEMA}.processed_events`);
        await tx.query(`DELETE FROM ${RUNTIME_SCHEMA}.consumer_offsets`);
      });
      const committed = await h.admin.fetchOffsets({ groupId: first.groupId, topics: [h.topic(TOPICS.ingestEvents)] });
      expect(committed[0].partitions[0].offset).toBe('20');

      const second = consumer(h);
      await second.start();
      try {
        await waitFor(() => applied(h), (rows) => rows.length === 20, 'every event to be applied again');
      } finally {
        await second.stop();
      }
      expect((await applied(h)).every((r) => r.n === 1)).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('waits out a schema registry outage instead of dead-lettering the messages', async () => {
    const h = await withState('registry-outage');
    let outages = 3;
    const flakyRegistrySerde: EventSerde = {
      encode: (fullName, value) => h.serde.encode(fullName, value),
      decode: async (buf, reader) => {
        if (outages > 0) {
          outages--;
          throw new AvroError('AVRO_REGISTRY_UNAVAILABLE', 'connect ECONNREFUSED 127.0.0.1:8081');
        }
        return h.serde.decode(buf, reader);
      },
    };
    try {
      const events = Array.from({ length: 5 }, () => ingestedEvent());
      await produce(h, events);
      const c = consumer(h, flakyRegistrySerde);
      await c.start();
      try {
        await waitFor(() => caughtUp(h, c.groupId, h.topic(TOPICS.ingestEvents)), Boolean, 'consumption to resume after the outage');
      } finally {
        await c.stop();
      }
      expect(outages).toBe(0);
      expect((await applied(h)).map((r) => r.event_id).sort()).toEqual(events.map((e) => e.messageId).sort());
      expect(await recordCount(h.admin, h.topic(TOPICS.ingestDeadLetter))).toBe(0);
    } finally {
      await h.close();
    }
  });
});
