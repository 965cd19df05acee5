import { randomUUID } from 'node:crypto';
import { CompressionTypes, type Kafka, type Message, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
import { KafkaRuntimeError } from './errors';
import { EVENT_ID_HEADER, SCHEMA_HEADER, type StringHeaders } from './headers';
import { createConsoleLogger, type Logger } from './logger';
import { KafkaRuntimeMetrics } from './metrics';
import type { EventSerde } from './serde';

/** A topic from the contracts registry (`TOPICS.x`) or its logical name; the runtime adds the prefix. */
export type TopicLike = string | { readonly name: string };

export function resolveTopic(topic: TopicLike, prefix = ''): string {
  return `${prefix}${typeof topic === 'string' ? topic : topic.name}`;
}

export interface OutgoingEvent<T = unknown> {
  topic: TopicLike;
  key: string | null;
  /** Full name of the Avro record, e.g. `cdp.identity.ResolvedEvent` (of a tombstone: the record the key held). */
  schema: string;
  /**
   * The record; null is a tombstone: a record without value, which deletes the key from a compacted
   * topic. A tombstone needs a key, and an `eventId` (it has no value to take one from).
   */
  value: T | null;
  /** Defaults to the value's `id` (house event shape) or `messageId` (ingested events). */
  eventId?: string;
  headers?: StringHeaders;
}

/** An event already encoded, as stored in the outbox and handed to Kafka. */
export interface EncodedRecord {
  eventId: string;
  /** Full topic name, prefix included. */
  topic: string;
  key: string | null;
  /** Null: a tombstone. */
  value: Buffer | null;
  headers: StringHeaders;
}

export function eventIdOf(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const { id, messageId } = value as { id?: unknown; messageId?: unknown };
    if (typeof id === 'string' && id) return id;
    if (typeof messageId === 'string' && messageId) return messageId;
  }
  return undefined;
}

export async function encodeEvents(serde: EventSerde, events: readonly OutgoingEvent[], topicPrefix = ''): Promise<EncodedRecord[]> {
  return Promise.all(
    events.map(async (event) => {
      if (event.value === null && (event.key === null || event.eventId === undefined)) {
        throw new KafkaRuntimeError('KAFKA_EVENT_INVALID', `A tombstone for ${resolveTopic(event.topic)} needs a key and an eventId`);
      }
      const eventId = event.eventId ?? eventIdOf(event.value) ?? randomUUID();
      const value = event.value === null ? null : await serde.encode(event.schema, event.value);
      return {
        eventId,
        topic: resolveTopic(event.topic, topicPrefix),
        key: event.key,
        value,
        headers: { ...event.headers, [EVENT_ID_HEADER]: eventId, [SCHEMA_HEADER]: event.schema },
      };
    }),
  );
}

export interface EventProducerOptions {
  serde?: EventSerde;
  topicPrefix?: string;
  logger?: Logger;
  metrics?: KafkaRuntimeMetrics;
  /** Default none: Avro bodies are small and the broker is usually local to the service. */
  compression?: CompressionTypes;
}

/**
 * Idempotent producer (acks -1, one request in flight per broker so retries cannot reorder).
 * Every record carries `cdp-event-id` and `cdp-schema`. One `send` is one kafkajs sendBatch,
 * however many topics and records it holds.
 */
export class EventProducer {
  private readonly producer: Producer;
  private readonly logger: Logger;
  private readonly metrics: KafkaRuntimeMetrics;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly options: EventProducerOptions = {},
  ) {
    // The default partitioner hashes keys like the Java client (murmur2), so a key lands on the same
    // partition whichever client produced it.
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    this.logger = options.logger ?? createConsoleLogger();
    this.metrics = options.metrics ?? KafkaRuntimeMetrics.for();
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  /** Encodes with the serde and produces; resolves once Kafka acknowledged every record. */
  async send(events: readonly OutgoingEvent[]): Promise<RecordMetadata[]> {
    if (!this.options.serde) throw new KafkaRuntimeError('KAFKA_CONFIG_INVALID', 'EventProducer.send needs a serde; use sendEncoded for raw bytes');
    return this.sendEncoded(await encodeEvents(this.options.serde, events, this.options.topicPrefix));
  }

  async sendEncoded(records: readonly EncodedRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return [];
    const byTopic = new Map<string, Message[]>();
    for (const r of records) {
      let messages = byTopic.get(r.topic);
      if (!messages) byTopic.set(r.topic, (messages = []));
      // A record already has a message's shape (key, value, headers); kafkajs copies what it reads
      // from it anyway, so a copy per record here would only add garbage on the hot path.
      messages.push(r);
    }
    const result = await this.producer.sendBatch({
      acks: -1,
      compression: this.options.compression ?? CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    for (const [topic, messages] of byTopic) this.metrics.produced.inc({ topic }, messages.length);
    this.logger.debug({ records: records.length, topics: byTopic.size }, 'produced');
    return result;
  }
}
