import { Counter, Gauge, Histogram, register as globalRegister, type Registry } from 'prom-client';

/**
 * The runtime's Prometheus metrics. One set per registry: several consumers and relays in one
 * process share the same metric objects (prom-client refuses duplicate names in a registry).
 */
export class KafkaRuntimeMetrics {
  readonly batches: Counter<'group' | 'topic'>;
  readonly messages: Counter<'group' | 'topic' | 'outcome'>;
  readonly deadLettered: Counter<'group' | 'topic' | 'reason'>;
  readonly retries: Counter<'group' | 'topic' | 'kind'>;
  readonly batchDuration: Histogram<'group' | 'topic'>;
  readonly produced: Counter<'topic'>;
  readonly outboxPublished: Counter<'schema'>;
  readonly outboxPending: Gauge<'schema'>;
  readonly outboxLagSeconds: Gauge<'schema'>;

  private static readonly perRegistry = new WeakMap<Registry, KafkaRuntimeMetrics>();

  static for(registry: Registry = globalRegister): KafkaRuntimeMetrics {
    let metrics = KafkaRuntimeMetrics.perRegistry.get(registry);
    if (!metrics) {
      metrics = new KafkaRuntimeMetrics(registry);
      KafkaRuntimeMetrics.perRegistry.set(registry, metrics);
    }
    return metrics;
  }

  private constructor(registry: Registry) {
    const registers = [registry];
    // Another copy of this module (e.g. built and source side by side) may have registered already.
    const reuse = <M>(name: string, create: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? create();
    this.batches = reuse('cdp_kafka_batches_total', () => new Counter({ name: 'cdp_kafka_batches_total', help: 'Batches committed to Postgres', labelNames: ['group', 'topic'], registers }));
    this.messages = reuse('cdp_kafka_messages_total', () => new Counter({
      name: 'cdp_kafka_messages_total',
      help: 'Consumed messages by outcome (applied, duplicate, dropped, dead_lettered, already_applied)',
      labelNames: ['group', 'topic', 'outcome'],
      registers,
    }));
    this.deadLettered = reuse('cdp_kafka_dead_lettered_total', () => new Counter({ name: 'cdp_kafka_dead_lettered_total', help: 'Messages sent to the dead-letter topic', labelNames: ['group', 'topic', 'reason'], registers }));
    this.retries = reuse('cdp_kafka_batch_retries_total', () => new Counter({
      name: 'cdp_kafka_batch_retries_total',
      help: 'Batch transaction retries by kind (conflict, unavailable, failure)',
      labelNames: ['group', 'topic', 'kind'],
      registers,
    }));
    this.batchDuration = reuse('cdp_kafka_batch_duration_seconds', () => new Histogram({
      name: 'cdp_kafka_batch_duration_seconds',
      help: 'Time from receiving a batch to its Postgres commit',
      labelNames: ['group', 'topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }));
    this.produced = reuse('cdp_kafka_produced_total', () => new Counter({ name: 'cdp_kafka_produced_total', help: 'Records acknowledged by Kafka', labelNames: ['topic'], registers }));
    this.outboxPublished = reuse('cdp_outbox_published_total', () => new Counter({ name: 'cdp_outbox_published_total', help: 'Outbox rows published to Kafka', labelNames: ['schema'], registers }));
    this.outboxPending = reuse('cdp_outbox_pending_rows', () => new Gauge({ name: 'cdp_outbox_pending_rows', help: 'Outbox rows not yet published', labelNames: ['schema'], registers }));
    this.outboxLagSeconds = reuse('cdp_outbox_lag_seconds', () => new Gauge({
      name: 'cdp_outbox_lag_seconds',
      help: 'Age of the oldest unpublished outbox row (0 when none)',
      labelNames: ['schema'],
      registers,
    }));
  }
}
