import { TOPICS } from '@cdp/contracts';
import type { Registry } from 'prom-client';
import type { Admin, Batch, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { BatchProcessor, type PartitionContext } from './batch-processor';
import type { BatchHandlerFn } from './consumed-batch';
import { errorMessage, KafkaRuntimeError } from './errors';
import { resolveTopic, type TopicLike } from './event-producer';
import { createConsoleLogger, type Logger } from './logger';
import { KafkaRuntimeMetrics } from './metrics';
import { firstBatchDecision, flattenAssignment, partitionKey } from './offsets';
import { backoffDelay, retryPolicy, sleep, type RetryPolicy } from './retry-policy';
import type { EventSerde } from './serde';
import type { TransactionRunner } from './sql';


/** One topic and the handler for its batches. */
export interface BatchSubscription {
  readonly topic: TopicLike;
  // Erased element type: each handler is typed at its declaration (see `subscribe`).
  readonly handler: BatchHandlerFn<never>;
  /** Reader schema full name; default: the latest local version of the writer's record. */
  readonly readerSchema?: string;
  /** Null-value records (tombstones of compacted topics): skipped by default, or delivered with `value: null`. */
  readonly tombstones?: 'skip' | 'deliver';
}

export function subscribe<T>(
  topic: TopicLike,
  handler: BatchHandlerFn<T>,
  options: { readerSchema?: string; tombstones?: 'skip' | 'deliver' } = {},
): BatchSubscription {
  return { topic, handler: handler as BatchHandlerFn<never>, ...options };
}

export interface BatchConsumerOptions {
  kafka: Kafka;
  /** Consumer group; the topic prefix is prepended so isolated environments never share a group. */
  groupId: string;
  subscriptions: readonly BatchSubscription[];
  serde: EventSerde;
  transactionRunner: TransactionRunner;
  /** Postgres schema holding this service's runtime tables. */
  schema: string;
  topicPrefix?: string;
  deadLetterTopic?: TopicLike;
  /** Recorded as the producer of dead letters (default: the group id). */
  producerName?: string;
  logger?: Logger;
  registry?: Registry;
  retry?: Partial<RetryPolicy>;
  /** Messages per Postgres transaction; larger Kafka batches are committed in chunks (default 1000). */
  maxBatchSize?: number;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  maxBytesPerPartition?: number;
  maxWaitTimeMs?: number;
  /** Where a group with no stored position starts (default: the beginning; Kafka is the log of record). */
  fromBeginning?: boolean;
  /** Called after a commit that wrote outbox rows (the transport nudges its relay). */
  onOutboxWrite?: () => void;
}

/** A fetched batch also knows the offset it was fetched from (not in kafkajs's typings). */
type FetchedBatch = Batch & { fetchedOffset?: string };

/** After this many seeks to the stored position in one generation, whatever the broker returns is accepted. */
const MAX_SEEKS_PER_GENERATION = 2;

/**
 * kafkajs batch consumer whose positions live in Postgres. Kafka's committed offsets are written
 * after each Postgres commit only as a courtesy (monitoring tools read them); on every assignment
 * the consumer seeks to the stored positions, and the first batch of each partition is checked
 * against them before anything is applied.
 */
export class BatchConsumer {
  readonly groupId: string;
  private readonly consumer: Consumer;
  private readonly processors = new Map<string, BatchProcessor<unknown>>();
  private readonly logger: Logger;
  private readonly policy: RetryPolicy;
  private readonly maxBatchSize: number;
  private readonly verified = new Set<string>();
  private readonly seeks = new Map<string, number>();
  private readonly stopSignal = new AbortController();
  /** Seeks started by GROUP_JOIN events; they read Postgres, so stop() waits for them. */
  private readonly seeking = new Set<Promise<void>>();
  /** Earliest offsets in the log, per topic, read when a partition has no stored position. */
  private readonly earliest = new Map<string, Map<number, string>>();
  private admin?: Admin;
  private stopping = false;
  private stopped?: Promise<void>;
  private started = false;

  constructor(private readonly options: BatchConsumerOptions) {
    if (options.subscriptions.length === 0) throw new KafkaRuntimeError('KAFKA_CONFIG_INVALID', `Consumer group ${options.groupId} has no subscriptions`);
    const prefix = options.topicPrefix ?? '';
    this.groupId = `${prefix}${options.groupId}`;
    this.logger = options.logger ?? createConsoleLogger();
    this.policy = retryPolicy(options.retry);
    this.maxBatchSize = options.maxBatchSize ?? 1000;
    const metrics = KafkaRuntimeMetrics.for(options.registry);
    for (const sub of options.subscriptions) {
      const topic = resolveTopic(sub.topic, prefix);
      if (this.processors.has(topic)) throw new KafkaRuntimeError('KAFKA_HANDLER_CONFLICT', `Two handlers for ${topic} in group ${this.groupId}`);
      this.processors.set(
        topic,
        new BatchProcessor<unknown>({
          groupId: this.groupId,
          schema: options.schema,
          transactionRunner: options.transactionRunner,
          serde: options.serde,
          handler: sub.handler as BatchHandlerFn<unknown>,
          readerSchema: sub.readerSchema,
          tombstones: sub.tombstones,
          topicPrefix: prefix,
          deadLetterTopic: options.deadLetterTopic ?? TOPICS.ingestDeadLetter,
          producerName: options.producerName ?? options.groupId,
          retry: this.policy,
          logger: this.logger,
          metrics,
          onOutboxWrite: options.onOutboxWrite,
          heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3000,
        }),
      );
    }
    this.consumer = options.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3000,
      maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 500,
      allowAutoTopicCreation: false,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.verified.clear();
      this.seeks.clear();
      this.earliest.clear();
      if (this.stopping) return;
      const seek = this.seekToStoredOffsets(event.payload.memberAssignment);
      this.seeking.add(seek);
      void seek.finally(() => this.seeking.delete(seek));
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.logger.error({ group: this.groupId, err: errorMessage(event.payload.error), restart: event.payload.restart }, 'consumer crashed');
    });
  }

  get topics(): string[] {
    return [...this.processors.keys()];
  }

  /** Joins the group and starts consuming; resolves once the consumer runs (not when caught up). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.topics, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /**
   * Leaves the group; resolves once no transaction of this consumer is open (an in-flight batch
   * commits or rolls back). Later calls share the first call's shutdown.
   */
  stop(): Promise<void> {
    if (!this.started) return Promise.resolve();
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  /** The underlying kafkajs consumer (events, pause/resume, describeGroup). */
  unwrap(): Consumer {
    return this.consumer;
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    try {
      // kafkajs waits for the running eachBatch before it leaves the group.
      await this.consumer.disconnect();
    } finally {
      // A seek begun by a join just before the stop may still be reading stored offsets.
      await Promise.allSettled([...this.seeking]);
      await this.admin?.disconnect().catch(() => undefined);
    }
  }

  private async onBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const processor = this.processors.get(topic);
    if (!processor) throw new KafkaRuntimeError('KAFKA_TOPIC_UNKNOWN', `No handler for topic ${topic}`);
    const key = partitionKey({ topic, partition });
    const active = () => !this.stopping && isRunning() && !isStale();
    if (!active() || batch.messages.length === 0) return;

    if (!this.verified.has(key)) {
      const proceed = await this.verifyPosition(processor, batch as FetchedBatch, key);
      if (!proceed) return;
    }

    const ctx: PartitionContext = { topic, partition, heartbeat, isActive: active };
    for (let i = 0; i < batch.messages.length; i += this.maxBatchSize) {
      if (!active()) return;
      const chunk = batch.messages.slice(i, i + this.maxBatchSize);
      const next = await processor.process(ctx, chunk);
      if (next === null) return;
      resolveOffset(chunk[chunk.length - 1].offset);
      try {
        await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition, offset: next }] }] });
      } catch (err) {
        // Postgres already holds the position; Kafka's copy is informational.
        this.logger.debug({ topic, partition, err: errorMessage(err) }, 'courtesy offset commit to Kafka failed');
      }
    }
  }

  /** Returns whether the batch may be processed; seeks to the stored position when it may not. */
  private async verifyPosition(processor: BatchProcessor<unknown>, batch: FetchedBatch, key: string): Promise<boolean> {
    const { topic, partition } = batch;
    let stored: string | null;
    try {
      stored = (await processor.storedOffsets(topic, [partition])).get(partition) ?? null;
      // No position in Postgres means nothing of the partition was ever applied here (a new group, or
      // a projection rebuilt into an empty database): start at the log's beginning, whatever offset
      // Kafka may have committed for the group.
      if (stored === null && (this.options.fromBeginning ?? true)) stored = await this.earliestOffset(topic, partition);
    } catch (err) {
      const failures = (this.seeks.get(`${key}:lookup`) ?? 0) + 1;
      this.seeks.set(`${key}:lookup`, failures);
      this.logger.warn({ group: this.groupId, topic, partition, err: errorMessage(err) }, 'cannot read stored offset; batch will be fetched again');
      await sleep(backoffDelay(this.policy, failures), this.stopSignal.signal);
      return false;
    }
    const fetchedOffset = batch.fetchedOffset ?? batch.firstOffset() ?? batch.messages[0].offset;
    const seeks = this.seeks.get(key) ?? 0;
    const decision = firstBatchDecision({ storedNext: stored, fetchedOffset, alreadySought: seeks >= MAX_SEEKS_PER_GENERATION });
    if (decision.action === 'seek') {
      this.seeks.set(key, seeks + 1);
      this.logger.info({ group: this.groupId, topic, partition, fetchedOffset, storedOffset: decision.offset }, 'fetched past the stored position; seeking back');
      this.consumer.seek({ topic, partition, offset: decision.offset });
      return false;
    }
    if (stored !== null && seeks >= MAX_SEEKS_PER_GENERATION && BigInt(fetchedOffset) > BigInt(stored)) {
      this.logger.warn({ group: this.groupId, topic, partition, fetchedOffset, storedOffset: stored }, 'stored position no longer in the log; continuing from the earliest available offset');
    }
    this.verified.add(key);
    return true;
  }

  private async earliestOffset(topic: string, partition: number): Promise<string | null> {
    let offsets = this.earliest.get(topic);
    if (!offsets) {
      if (!this.admin) {
        this.admin = this.options.kafka.admin();
        await this.admin.connect();
      }
      offsets = new Map((await this.admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.low]));
      this.earliest.set(topic, offsets);
    }
    return offsets.get(partition) ?? null;
  }

  private async seekToStoredOffsets(assignment: Record<string, number[]>): Promise<void> {
    try {
      const byTopic = new Map<string, number[]>();
      for (const { topic, partition } of flattenAssignment(assignment)) {
        if (!byTopic.has(topic)) byTopic.set(topic, []);
        byTopic.get(topic)!.push(partition);
      }
      for (const [topic, partitions] of byTopic) {
        const processor = this.processors.get(topic);
        if (!processor || this.stopping) continue;
        const stored = await processor.storedOffsets(topic, partitions);
        if (this.stopping) return;
        for (const [partition, offset] of stored) this.consumer.seek({ topic, partition, offset });
        // A partition without a stored position starts at the log's beginning: kafkajs would resume
        // from Kafka's committed offset and, at the log end, fetch nothing the first-batch check could see.
        if (this.options.fromBeginning ?? true) {
          for (const partition of partitions.filter((p) => !stored.has(p))) {
            const earliest = await this.earliestOffset(topic, partition);
            if (this.stopping) return;
            if (earliest !== null) this.consumer.seek({ topic, partition, offset: earliest });
          }
        }
        this.logger.debug({ group: this.groupId, topic, positions: Object.fromEntries(stored) }, 'sought assigned partitions to stored offsets');
      }
    } catch (err) {
      // The first-batch check still guards every partition; this seek only saves a wasted fetch.
      this.logger.warn({ group: this.groupId, err: errorMessage(err) }, 'could not seek to stored offsets after assignment');
    }
  }
}
