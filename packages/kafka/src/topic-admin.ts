import type { Admin, ITopicConfig } from 'kafkajs';

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
 * from several services: a lost creation race counts as success. Returns the names it created.
 */
export async function ensureTopics(admin: Admin, topics: TopicSpecs, prefix = ''): Promise<string[]> {
  const wanted = topicSpecList(topics).map((spec) => topicConfig(spec, prefix));
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (err) {
    // kafkajs reports TOPIC_ALREADY_EXISTS as an error for the whole call; re-check instead.
    const now = new Set(await admin.listTopics());
    if (missing.some((t) => !now.has(t.topic))) throw err;
  }
  return missing.map((t) => t.topic);
}
