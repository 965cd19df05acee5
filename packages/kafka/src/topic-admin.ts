import type { Admin, ITopicConfig } from 'kafkajs';
import { KafkaRuntimeError } from './errors';

/** The parts of a topic registry entry (contracts' TOPICS) needed to create the topic. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
  readonly retentionMs?: number;
  readonly cleanupPolicy?: string;
  /** Further topic configs, verbatim (e.g. `min.compaction.lag.ms`). */
  readonly configs?: Readonly<Record<string, string>>;
}

export type TopicSpecs = Iterable<TopicSpec> | Readonly<Record<string, TopicSpec>>;

export function topicSpecList(topics: TopicSpecs): TopicSpec[] {
  return Symbol.iterator in topics ? [...(topics as Iterable<TopicSpec>)] : Object.values(topics as Record<string, TopicSpec>);
}

export function topicConfig(spec: TopicSpec, prefix = ''): ITopicConfig {
  const configEntries: Array<{ name: string; value: string }> = [];
  if (spec.retentionMs !== undefined) configEntries.push({ name: 'retention.ms', value: String(spec.retentionMs) });
  if (spec.cleanupPolicy !== undefined) configEntries.push({ name: 'cleanup.policy', value: spec.cleanupPolicy });
  for (const [name, value] of Object.entries(spec.configs ?? {})) configEntries.push({ name, value });
  return {
    topic: `${prefix}${spec.name}`,
    numPartitions: spec.partitions,
    // -1 lets the broker apply its default.replication.factor (one locally, three in production).
    replicationFactor: spec.replicationFactor ?? -1,
    configEntries,
  };
}

/**
 * Creates the topics that do not exist yet, with their partitions and configs; existing topics are
 * left alone (partition counts are never changed behind anyone's back). Safe to call concurrently
 * from several services: a lost creation race counts as success. Resolves once every created
 * partition has a leader. Returns the names it created.
 */
export async function ensureTopics(admin: Admin, topics: TopicSpecs, prefix = '', options: EnsureTopicsOptions = {}): Promise<string[]> {
  const wanted = topicSpecList(topics).map((spec) => topicConfig(spec, prefix));
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return [];
  try {
    // Leaders are awaited below: kafkajs's own wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a
    // freshly started KRaft broker answers until its metadata cache has caught up with the controller.
    await admin.createTopics({ topics: missing, waitForLeaders: false });
  } catch (err) {
    // kafkajs reports TOPIC_ALREADY_EXISTS as an error for the whole call; re-check instead.
    const now = new Set(await admin.listTopics());
    if (missing.some((t) => !now.has(t.topic))) throw err;
  }
  await awaitLeaders(
    admin,
    missing.map((t) => t.topic),
    options.timeoutMs ?? 30_000,
  );
  return missing.map((t) => t.topic);
}

export interface EnsureTopicsOptions {
  /** How long to wait for the new topics' partitions to get leaders (default 30 s). */
  timeoutMs?: number;
}

const METADATA_NOT_READY = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

async function awaitLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no metadata yet';
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      const leaderless = metadata.flatMap((t) => t.partitions.filter((p) => p.leader < 0).map((p) => `${t.name}/${p.partitionId}`));
      if (metadata.length === topics.length && leaderless.length === 0) return;
      lastProblem = leaderless.length > 0 ? `no leader for ${leaderless.slice(0, 5).join(', ')}` : 'topics missing from metadata';
    } catch (err) {
      const type = (err as { type?: unknown }).type;
      if (typeof type !== 'string' || !METADATA_NOT_READY.has(type)) throw err;
      lastProblem = type;
    }
    if (Date.now() >= deadline) {
      throw new KafkaRuntimeError('KAFKA_TOPIC_NOT_READY', `Topics ${topics.join(', ')} were created but have no leaders after ${timeoutMs} ms (${lastProblem})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
