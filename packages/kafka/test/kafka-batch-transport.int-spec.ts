import 'reflect-metadata';
import { Controller, Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type DeadLetter, type IngestedEvent, type ResolvedEvent, TOPICS } from '@cdp/contracts';
import { Registry } from 'prom-client';
import {
  BatchHandler,
  batchResult,
  type BatchResult,
  type ConsumedBatch,
  type ConsumedMessage,
  dlq,
  encodeEvents,
  EventProducer,
  insertOutbox,
  KafkaBatchTransport,
  type MessageResult,
  silentLogger,
} from '../src';
import { caughtUp, ingestedEvent, readAll, recordCount, RUNTIME_SCHEMA, type RuntimeHarness, startHarness, TEST_TOPICS, waitFor } from './support/runtime-harness';

// Real brokers and databases on a shared machine: allow for slow group joins.
jest.setTimeout(120_000);

const GROUP = 'it-projector';

/** Test-side switches the handler consults; lives in Nest's container like any provider. */
@Injectable()
class HandlerProbe {
  /** Event ids that fail on their first attempt only. */
  readonly failedOnce = new Set<string>();
  attemptsSeen: number[] = [];
}

/**
 * A projection as a service would write one: rows in its own table through the batch transaction,
 * plus a derived event per applied message through the outbox.
 */
@Controller()
class IngestedEventsProjector {
  constructor(private readonly probe: HandlerProbe) {}

  @BatchHandler(TOPICS.ingestEvents, { groupId: GROUP })
  async handle(batch: ConsumedBatch<IngestedEvent>): Promise<BatchResult> {
    this.probe.attemptsSeen.push(batch.attempt);
    const verdicts: Array<[string, MessageResult]> = [];
    const applied: Array<ConsumedMessage<IngestedEvent>> = [];
    for (const m of batch.messages) {
      if (m.value.event === 'Poison') throw new Error(`cannot project ${m.eventId}`);
      if (m.value.event === 'Flaky' && !this.probe.failedOnce.has(m.eventId)) {
        this.probe.failedOnce.add(m.eventId);
        throw new Error('lock timeout on the projection row');
      }
      if (m.value.event === 'Rejected') verdicts.push([m.eventId, dlq('TEST_REJECTED', 'the projector refuses this event')]);
      else applied.push(m);
    }
    await batch.tx.query(
      `INSERT INTO app.applied (event_id, event_name, partition, "offset")
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[])`,
      [applied.map((m) => m.eventId), applied.map((m) => m.value.event), applied.map((m) => m.partition), applied.map((m) => m.offset)],
    );
    batch.emit(
      ...applied.map((m) => ({
        topic: TOPICS.identityResolvedEvents,
        key: m.key,
        schema: 'cdp.identity.ResolvedEvent',
        value: resolved(m.value),
      })),
    );
    return batchResult(verdicts);
  }
}

function resolved(event: IngestedEvent): ResolvedEvent {
  return {
    id: event.messageId,
    type: 'EventResolved',
    occurredAt: event.timestamp,
    data: { profileId: `p-${event.anonymousId}`, profileCreated: false, identifiers: [], event },
    metadata: { correlationId: event.messageId, causationId: event.messageId, producer: 'it-projector', schemaVersion: 1 },
  };
}

@Module({ controllers: [IngestedEventsProjector], providers: [HandlerProbe] })
class ProjectorModule {}

interface Running {
  h: RuntimeHarness;
  app: INestApplication;
  probe: HandlerProbe;
  registry: Registry;
  producer: EventProducer;
  ingest: string;
  close(): Promise<void>;
}

async function startProjector(label: string): Promise<Running> {
  const h = await startHarness(label, TEST_TOPICS);
  await h.pool.query('CREATE SCHEMA app');
  await h.pool.query('CREATE TABLE app.applied (event_id text NOT NULL, event_name text, partition int NOT NULL, "offset" bigint NOT NULL)');
  const registry = new Registry();
  const app = await NestFactory.create(ProjectorModule, { logger: false });
  app.connectMicroservice(
    {
      strategy: new KafkaBatchTransport({
        brokers: h.brokers,
        clientId: 'it-projector',
        topicPrefix: h.prefix,
        serde: h.serde,
        transactionRunner: h.runner,
        schema: RUNTIME_SCHEMA,
        logger: silentLogger,
        registry,
        ensureTopics: false,
        consumer: { maxWaitTimeMs: 100, retry: { initialDelayMs: 5, maxDelayMs: 50, maxAttempts: 3 } },
        outbox: { pollIntervalMs: 100 },
      }),
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.init();
  const producer = new EventProducer(h.kafka, { serde: h.serde, topicPrefix: h.prefix, logger: silentLogger, metrics: undefined });
  await producer.connect();
  return {
    h,
    app,
    probe: app.get(HandlerProbe),
    registry,
    producer,
    ingest: h.topic(TOPICS.ingestEvents),
    close: async () => {
      await producer.disconnect();
      await app.close();
      await h.close();
    },
  };
}

function produce(r: Running, events: IngestedEvent[]) {
  return r.producer.send(events.map((value) => ({ topic: TOPICS.ingestEvents, key: value.anonymousId, schema: 'cdp.ingest.IngestedEvent', value })));
}

async function appliedRows(r: Running): Promise<Array<{ event_id: string; n: number }>> {
  const { rows } = await r.h.pool.query<{ event_id: string; n: number }>('SELECT event_id, count(*)::int AS n FROM app.applied GROUP BY event_id');
  return rows;
}

async function deadLetters(r: Running, expected: number): Promise<DeadLetter[]> {
  const topic = r.h.topic(TOPICS.ingestDeadLetter);
  await waitFor(() => recordCount(r.h.admin, topic), (n) => n >= expected, `${expected} dead letters on ${topic}`);
  const records = await readAll(r.h.kafka, r.h.admin, topic);
  return Promise.all(records.map(async (m) => (await r.h.serde.decode<DeadLetter>(m.value!)).value));
}

/** Sessions of the test database inside a transaction whose last statement matches, other than the asking one. */
async function openTransactions(r: Running, lastStatementLike = '%'): Promise<number> {
  const { rows } = await r.h.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query LIKE $1`,
    [lastStatementLike],
  );
  return rows[0].n;
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await registry.getSingleMetric(name)!.get();
  return metric.values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((sum, v) => sum + v.value, 0);
}

describe('KafkaBatchTransport (real Kafka and Postgres)', () => {
  it('applies every Avro event exactly once, stores offsets with the state, and relays emitted events through the outbox', async () => {
    const r = await startProjector('apply-once');
    try {
      const events = Array.from({ length: 300 }, (_, i) => ingestedEvent({ anonymousId: `anon-${i % 37}` }));
      await produce(r, events);
      // The same events delivered again (a producer retry, a replayed file): must not apply twice.
      await produce(r, events.slice(0, 25));

      await waitFor(() => caughtUp(r.h, `${r.h.prefix}${GROUP}`, r.ingest), Boolean, 'the projector to reach the log end');
      const rows = await appliedRows(r);
      expect(rows).toHaveLength(300);
      expect(rows.every((row) => row.n === 1)).toBe(true);
      expect(new Set(rows.map((row) => row.event_id))).toEqual(new Set(events.map((e) => e.messageId)));
      expect(await metricValue(r.registry, 'cdp_kafka_messages_total', { outcome: 'duplicate' })).toBe(25);

      const resolvedTopic = r.h.topic(TOPICS.identityResolvedEvents);
      await waitFor(() => recordCount(r.h.admin, resolvedTopic), (n) => n >= 300, 'relayed ResolvedEvents');
      const relayed = await readAll(r.h.kafka, r.h.admin, resolvedTopic);
      const relayedIds = await Promise.all(relayed.map(async (m) => (await r.h.serde.decode<ResolvedEvent>(m.value!)).value.id));
      expect(new Set(relayedIds)).toEqual(new Set(events.map((e) => e.messageId)));
      expect(relayed.every((m) => m.headers?.['cdp-event-id']?.toString() && m.headers?.['cdp-schema']?.toString() === 'cdp.identity.ResolvedEvent')).toBe(true);
      const { rows: pending } = await r.h.pool.query(`SELECT count(*)::int AS n FROM ${RUNTIME_SCHEMA}.outbox WHERE published_at IS NULL`);
      expect(pending[0].n).toBe(0);
    } finally {
      await r.close();
    }
  });

  it('dead-letters undecodable bytes with the original bytes and keeps consuming behind them', async () => {
    const r = await startProjector('undecodable');
    try {
      const garbage = Buffer.from('{"not":"avro"}');
      const raw = r.h.kafka.producer();
      await raw.connect();
      await raw.send({ topic: r.ingest, messages: [{ key: 'anon-x', value: garbage }] });
      await raw.disconnect();
      const after = ingestedEvent({ anonymousId: 'anon-x' });
      await produce(r, [after]);

      await waitFor(() => appliedRows(r), (rows) => rows.length === 1, 'the event behind the garbage to be applied');
      const [letter] = await deadLetters(r, 1);
      expect(letter.data.reason).toBe('AVRO_BAD_MAGIC');
      expect(letter.data.originalValue.equals(garbage)).toBe(true);
      expect(letter.data.originalKey?.toString()).toBe('anon-x');
      expect(letter.data.sourceTopic).toBe(r.ingest);
      expect(letter.data.consumerGroup).toBe(`${r.h.prefix}${GROUP}`);
      expect((await appliedRows(r))[0].event_id).toBe(after.messageId);
    } finally {
      await r.close();
    }
  });

  it('closes only once the outbox round it was publishing has ended, even while Kafka refuses it', async () => {
    const r = await startProjector('close-mid-round');
    try {
      // A topic that does not exist and is never auto-created: Kafka refuses the round until the
      // producer's retries run out, which takes longer than the transport's drain deadline.
      const records = await encodeEvents(
        r.h.serde,
        [{ topic: 'never-created', key: 'anon-c', schema: 'cdp.ingest.IngestedEvent', value: ingestedEvent({ anonymousId: 'anon-c' }) }],
        r.h.prefix,
      );
      await r.h.runner((tx) => insertOutbox(tx, RUNTIME_SCHEMA, records));
      await waitFor(() => openTransactions(r, '%outbox%FOR UPDATE%'), (n) => n > 0, 'the relay to hold a round open on Kafka');

      await r.app.close();
      // Whatever the service does next (close its pool, exit) no longer races a runtime transaction.
      expect(await openTransactions(r)).toBe(0);
      const { rows } = await r.h.pool.query<{ event_id: string }>(`SELECT event_id FROM ${RUNTIME_SCHEMA}.outbox WHERE published_at IS NULL`);
      expect(rows.map((row) => row.event_id)).toEqual(records.map((rec) => rec.eventId));
    } finally {
      await r.close();
    }
  });

  it('retries a handler that fails transiently and then applies the message once', async () => {
    const r = await startProjector('transient');
    try {
      const flaky = ingestedEvent({ event: 'Flaky', anonymousId: 'anon-f' });
      const others = Array.from({ length: 5 }, () => ingestedEvent({ anonymousId: 'anon-f' }));
      await produce(r, [flaky, ...others]);

      await waitFor(() => caughtUp(r.h, `${r.h.prefix}${GROUP}`, r.ingest), Boolean, 'the projector to reach the log end');
      const rows = await appliedRows(r);
      expect(rows.map((row) => row.event_id).sort()).toEqual([flaky, ...others].map((e) => e.messageId).sort());
      expect(rows.every((row) => row.n === 1)).toBe(true);
      expect(r.probe.failedOnce.has(flaky.messageId)).toBe(true);
      expect(r.probe.attemptsSeen).toContain(2);
      expect(await metricValue(r.registry, 'cdp_kafka_batch_retries_total', { kind: 'failure' })).toBeGreaterThanOrEqual(1);
      expect(await recordCount(r.h.admin, r.h.topic(TOPICS.ingestDeadLetter))).toBe(0);
    } finally {
      await r.close();
    }
  });

  it('isolates a poison message into the dead-letter topic, applies the rest of its batch once, and honours dlq verdicts', async () => {
    const r = await startProjector('poison');
    try {
      const batch = Array.from({ length: 40 }, (_, i) =>
        ingestedEvent({ anonymousId: 'anon-p', event: i === 23 ? 'Poison' : i === 7 ? 'Rejected' : 'Order Completed' }),
      );
      await produce(r, batch);

      await waitFor(() => caughtUp(r.h, `${r.h.prefix}${GROUP}`, r.ingest), Boolean, 'the projector to get past the poison message');
      const rows = await appliedRows(r);
      expect(rows).toHaveLength(38);
      expect(rows.every((row) => row.n === 1)).toBe(true);

      const letters = await deadLetters(r, 2);
      const byReason = new Map(letters.map((l) => [l.data.reason, l]));
      const poison = byReason.get('RETRIES_EXHAUSTED')!;
      expect(poison.data.message).toContain(`cannot project ${batch[23].messageId}`);
      expect(poison.data.attempts).toBe(3);
      expect((await r.h.serde.decode<IngestedEvent>(poison.data.originalValue)).value.messageId).toBe(batch[23].messageId);
      const rejected = byReason.get('TEST_REJECTED')!;
      expect((await r.h.serde.decode<IngestedEvent>(rejected.data.originalValue)).value.messageId).toBe(batch[7].messageId);
      expect(letters).toHaveLength(2);
    } finally {
      await r.close();
    }
  });
});
