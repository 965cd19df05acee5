import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { AvroSerde, createSchemaRegistry } from '@cdp/avro';
import { TOPICS, type AccessToken } from '@cdp/contracts';
import { createKafka, ensureTopics, EventProducer, type Logger } from '@cdp/kafka';
import type { TokenEvent } from '../domain/access-token';
import { tokenEventOf, tokenRecord } from './token-record';
import type { TokenRegistry } from './token-registry';

export interface TokenTopicOptions {
  brokers: readonly string[];
  clientId: string;
  topicPrefix: string;
  schemaRegistryUrl: string | undefined;
  /** Service name, written as the producer of token events. */
  producer: string;
  logger: Logger;
  /** Wait before reconnecting after the consumer could not start or crashed (default 2 s). */
  restartDelayMs?: number;
}

/** Where a published record landed: the registry has applied it once its position passes `offset`. */
export interface PublishedAt {
  partition: number;
  offset: number;
}

/**
 * The process's link to cdp.auth.tokens: a consumer that replays the whole topic into the
 * registry and then follows it, and an idempotent producer (acks -1) for the token admin API.
 *
 * Every process must see every partition, so each one consumes in a consumer group of its own
 * (a fresh id per start) from the beginning and never commits offsets: the in-memory state is
 * rebuilt from the topic on each start, which for a table of tokens takes moments.
 */
export class TokenTopic {
  private readonly kafka: Kafka;
  private readonly serde: AvroSerde;
  private readonly topic: string;
  private consumer: Consumer | undefined;
  private producer: EventProducer | undefined;
  private producerReady: Promise<void> | undefined;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly options: TokenTopicOptions,
    private readonly registry: TokenRegistry,
  ) {
    this.kafka = createKafka({ brokers: options.brokers, clientId: `${options.clientId}-auth-tokens`, logger: options.logger });
    this.serde = new AvroSerde(createSchemaRegistry({ url: options.schemaRegistryUrl }));
    this.topic = `${options.topicPrefix}${TOPICS.authTokens.name}`;
  }

  /** Starts following the topic in the background; readiness reports progress (see `status`). */
  start(): void {
    void this.follow();
  }

  /** Why the registry is not following the topic, when it is not. */
  get problem(): string | undefined {
    return this.lastError;
  }

  async publish(event: TokenEvent, correlationId: string | null): Promise<PublishedAt> {
    const producer = await this.connectedProducer();
    const value = tokenRecord(event, { id: randomUUID(), occurredAt: Date.now(), producer: this.options.producer, correlationId });
    const [meta] = await producer.send([{ topic: TOPICS.authTokens, key: event.token.tokenId, schema: TOPICS.authTokens.valueSchema, value }]);
    if (!meta || meta.baseOffset === undefined) throw new Error('Kafka acknowledged the token event without an offset');
    return { partition: meta.partition, offset: Number(meta.baseOffset) };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.registry.close();
    const consumer = this.consumer;
    this.consumer = undefined;
    await Promise.all([consumer?.disconnect().catch(() => undefined), this.producer?.disconnect().catch(() => undefined)]);
  }

  private async follow(): Promise<void> {
    if (this.stopped) return;
    const consumer = this.kafka.consumer({
      groupId: `${this.options.topicPrefix}cdp-auth-tokens.${this.options.clientId}.${randomUUID()}`,
      maxWaitTimeInMs: 500,
      // A fresh group per process; its offsets are never committed, so nothing outlives the process.
      retry: { retries: 5 },
    });
    this.consumer = consumer;
    try {
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [TOPICS.authTokens], this.options.topicPrefix);
        const offsets = await admin.fetchTopicOffsets(this.topic);
        this.registry.startedAt(new Map(offsets.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }])));
      } finally {
        await admin.disconnect();
      }
      consumer.on(consumer.events.CRASH, (event) => {
        const { error, restart } = event.payload as { error: Error; restart: boolean };
        this.lastError = `token consumer crashed: ${error.message}`;
        this.options.logger.error({ err: error, restart }, 'cdp.auth.tokens consumer crashed');
        if (!restart) this.scheduleRestart(consumer);
      });
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      // stop() may have run while this was connecting; it found no consumer to disconnect then.
      if (this.stopped) {
        await consumer.disconnect();
        return;
      }
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            if (message.value) await this.applyMessage(message.value, batch.partition, message.offset);
          }
          this.registry.advance(batch.partition, Number(batch.lastOffset()) + 1);
          this.lastError = undefined;
        },
      });
    } catch (error) {
      this.lastError = `cannot follow ${this.topic}: ${error instanceof Error ? error.message : String(error)}`;
      this.options.logger.warn({ err: error }, 'cdp.auth.tokens: cannot start following the topic; retrying');
      this.scheduleRestart(consumer);
    }
  }

  private async applyMessage(bytes: Buffer, partition: number, offset: string): Promise<void> {
    let record: AccessToken;
    try {
      record = (await this.serde.decode<AccessToken>(bytes, TOPICS.authTokens.valueSchema)).value;
    } catch (error) {
      // Not a token this process can read: it grants nothing here. Logged, never silently skipped.
      this.options.logger.error({ err: error, partition, offset }, 'cdp.auth.tokens: undecodable record ignored; the token it describes is unusable on this instance');
      return;
    }
    const decoded = tokenEventOf(record);
    if (decoded.ok) this.registry.apply(decoded.event);
    else this.options.logger.warn({ tokenId: record.data.tokenId, reason: decoded.reason, partition, offset }, 'cdp.auth.tokens: token grants nothing here');
  }

  private scheduleRestart(consumer: Consumer): void {
    if (this.stopped) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      void consumer.disconnect().catch(() => undefined);
      void this.follow();
    }, this.options.restartDelayMs ?? 2_000);
    this.restartTimer.unref();
  }

  private connectedProducer(): Promise<EventProducer> {
    if (!this.producer) this.producer = new EventProducer(this.kafka, { serde: this.serde, topicPrefix: this.options.topicPrefix, logger: this.options.logger });
    const producer = this.producer;
    this.producerReady ??= producer.connect().catch((error: unknown) => {
      this.producerReady = undefined;
      throw error;
    });
    return this.producerReady.then(() => producer);
  }
}
