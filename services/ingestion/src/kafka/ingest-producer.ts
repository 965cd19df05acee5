import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { AvroSerde, createSchemaRegistry } from '@cdp/avro';
import { TOPICS } from '@cdp/contracts';
import { createKafka, DEAD_LETTER_SCHEMA, ensureTopics, EVENT_ID_HEADER, EventProducer, KafkaRuntimeMetrics, resolveTopic, SCHEMA_HEADER, type EncodedRecord, type Logger as KafkaLogger, type TopicLike } from '@cdp/kafka';
import { METRICS_REGISTRY, SERVICE_CONFIG } from '@cdp/service-kit';
import type { IngestionConfig } from '../config';
import { IngestionError } from '../application/ingestion.error';

// Shutdown waits this long for a connection attempt still retrying against an unreachable broker.
const SHUTDOWN_WAIT_MS = 10_000;
// Records per coalesced produce request: well under the brokers' 1 MB per partition batch at 32 KB events spread over partitions.
const MAX_COALESCED_RECORDS = 5_000;

/** An event ingestion writes: its id is always known (the messageId, or the dead letter's id). */
export interface EventToEncode {
  topic: TopicLike;
  key: string | null;
  schema: string;
  value: unknown;
  eventId: string;
}

/** Records of one request waiting for the next produce request, and how to tell that request the outcome. */
interface QueuedSend {
  records: readonly EncodedRecord[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The service's one idempotent producer (acks -1) to the topics ingestion owns. It connects in the
 * background at start-up, so the service starts (and reports Kafka down on /health/ready) while the
 * brokers are away; requests then wait at most INGESTION_PRODUCE_TIMEOUT_MS and get a 503.
 */
@Injectable()
export class IngestProducer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IngestProducer');
  private readonly kafka;
  private readonly producer: EventProducer;
  private readonly serde: AvroSerde;
  private connecting: Promise<void> | undefined;
  // Sends still running, including ones a request stopped waiting for (timeout): shutdown lets them finish.
  private readonly inFlight = new Set<Promise<unknown>>();
  private connected = false;
  private readonly queued: QueuedSend[] = [];
  private draining = false;
  private prepared = false;
  private preparing: Promise<void> | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    const log = this.kafkaLogger();
    this.kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId, logger: log });
    this.serde = new AvroSerde(createSchemaRegistry({ url: config.kafka.schemaRegistryUrl }));
    this.producer = new EventProducer(this.kafka, {
      serde: this.serde,
      topicPrefix: config.kafka.topicPrefix,
      logger: log,
      metrics: KafkaRuntimeMetrics.for(registry),
    });
  }

  onApplicationBootstrap(): void {
    this.ready().catch((error: unknown) => this.logger.warn({ err: error }, 'Kafka is not reachable yet; requests answer 503 until it is'));
  }

  async onApplicationShutdown(): Promise<void> {
    const pending = [...this.inFlight, ...(this.connecting ? [this.connecting] : [])].map((p) => p.catch(() => undefined));
    await Promise.race([Promise.all(pending), delay(SHUTDOWN_WAIT_MS)]);
    await this.producer.disconnect().catch(() => undefined);
  }

  /**
   * Looks up the schema ids of the records ingestion writes (once; again after a failure), so that
   * encoding is synchronous afterwards. A registry that cannot be reached is a 503.
   */
  async prepare(): Promise<void> {
    if (this.prepared) return;
    this.preparing ??= this.serde
      .prepare(TOPICS.ingestEvents.valueSchema, DEAD_LETTER_SCHEMA)
      .then(() => void (this.prepared = true))
      .finally(() => (this.preparing = undefined));
    try {
      await this.preparing;
    } catch (error) {
      throw IngestionError.unavailable('SCHEMA_REGISTRY_UNAVAILABLE', 'The schema registry cannot be reached', error);
    }
  }

  /**
   * Encodes one event (Avro, Confluent framing) once prepare() has resolved: synchronously, with the
   * compiled type, straight into the record handed to kafkajs. A contract violation throws here, before
   * anything is sent.
   */
  encodePrepared(event: EventToEncode): EncodedRecord {
    const value = this.serde.encodeKnown(event.schema, event.value);
    return {
      eventId: event.eventId,
      topic: resolveTopic(event.topic, this.config.kafka.topicPrefix),
      key: event.key,
      value,
      headers: { [EVENT_ID_HEADER]: event.eventId, [SCHEMA_HEADER]: event.schema },
    };
  }

  /** Resolves once the producer is connected, or fails with 503 after the produce timeout. */
  async ready(): Promise<void> {
    if (this.connected) return;
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    await this.withinTimeout(this.connecting, 'Kafka cannot be reached');
  }

  /**
   * Resolves when every partition leader and its replicas acknowledged all of `records`. The
   * idempotent producer keeps one request in flight per broker, so concurrent HTTP requests would
   * each wait a full round trip for their 100 events: instead the records of every request that
   * arrives while a send is in flight go out together in the next one. A request's records are
   * never split across sends, so each request still succeeds or fails as a whole; a failed send
   * fails every request in it (each rolls its claim back and answers 503).
   */
  async send(records: readonly EncodedRecord[]): Promise<void> {
    await this.ready();
    const sending = new Promise<void>((resolve, reject) => this.queued.push({ records, resolve, reject }));
    if (!this.draining) void this.drain();
    this.inFlight.add(sending);
    void sending.catch(() => undefined).finally(() => this.inFlight.delete(sending));
    await this.withinTimeout(sending, 'Kafka did not acknowledge the events');
  }

  /** Never rejects: a send's failure goes to the requests in it. The flag drops in the same tick the queue is seen empty. */
  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queued.length > 0) {
      let count = 0;
      let take = 0;
      // At least one request per send, however large; then whole requests up to the cap.
      while (take < this.queued.length && (take === 0 || count + this.queued[take].records.length <= MAX_COALESCED_RECORDS)) count += this.queued[take++].records.length;
      const group = this.queued.splice(0, take);
      try {
        await this.producer.sendEncoded(group.length === 1 ? group[0].records : group.flatMap((queued) => queued.records));
        for (const queued of group) queued.resolve();
      } catch (error) {
        for (const queued of group) queued.reject(error);
      }
    }
    this.draining = false;
  }

  private async connect(): Promise<void> {
    // Ingestion owns the topics it writes; a fresh cluster gets them on the first connection.
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [TOPICS.ingestEvents, TOPICS.ingestDeadLetter], this.config.kafka.topicPrefix);
    } finally {
      await admin.disconnect();
    }
    await this.producer.connect();
    this.connected = true;
  }

  private async withinTimeout<T>(work: Promise<T>, message: string): Promise<T> {
    const timeoutMs = this.config.ingestion.produceTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (error) {
      // A send that times out may still succeed later; the client's retry then produces the same
      // messageIds again, which consumers drop (they dedupe on the event id).
      throw IngestionError.unavailable('KAFKA_UNAVAILABLE', message, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private kafkaLogger(): KafkaLogger {
    const logger = this.logger;
    return {
      debug: (obj, msg) => logger.debug(obj, msg),
      info: (obj, msg) => logger.log(obj, msg),
      warn: (obj, msg) => logger.warn(obj, msg),
      error: (obj, msg) => logger.error(obj, msg),
    };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
