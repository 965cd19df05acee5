import type { ContractName, IngestedEvent } from './generated/contract-types';
import { ContractError } from './contract.errors';

/**
 * THE topic registry: every Kafka topic of the platform, defined once.
 *
 * Partitions: 12 for the per-customer event streams. Partitions bound consumer parallelism, and adding
 * partitions later remaps keys (breaking per-customer order), so the count is chosen with headroom up
 * front; 12 divides evenly among 1, 2, 3, 4, 6 or 12 consumers of a group. Low-volume operational
 * topics (dead letters, erasure requests, access tokens, capped merges) get 3.
 *
 * Retention: Kafka is the log of record and every projection is rebuilt by replaying topics, so the
 * streams projections are built from keep everything (retention.ms = -1). Dead letters and capped
 * merges are an operator's work queue (90 days); segment membership changes feed notifications only, since
 * segmentation's state is rebuilt from the resolved events (30 days); loyalty notification requests are
 * a sending queue for engagement, and loyalty's own ledger remembers what it requested (30 days).
 *
 * Compaction: profile-changed and auth-tokens are compacted. Each ProfileChanged carries the full trait
 * snapshot, so the latest message per profileId is that profile's current state, and erasure writes a
 * tombstone (null value) for the key, which compaction then removes. Each AccessToken is likewise the full
 * state of one token (revocation included), which every service replays into memory at start. Every other
 * topic is a history of facts whose older entries matter, so compaction (keeping only the last message per
 * key) would lose data.
 *
 * Keys: events of one customer share a key so they stay in one partition, in order.
 * Value schemas use the record-name subject strategy: a topic may carry several records (profile-merged
 * carries ProfilesMerged and ProfileSplit so a merge and its undo stay ordered).
 */
export type CleanupPolicy = 'delete' | 'compact';

export interface TopicDefinition {
  /** Topic name without prefix; use topicName() to apply a test/run prefix. */
  readonly name: string;
  /** The topic's principal value record (full name). */
  readonly valueSchema: ContractName;
  /** Every record a producer may write to the topic; valueSchema comes first. */
  readonly valueSchemas: readonly ContractName[];
  /** What the message key is. */
  readonly key: string;
  readonly partitions: number;
  /** -1 keeps messages forever. */
  readonly retentionMs: number;
  readonly cleanupPolicy: CleanupPolicy;
}

const FOREVER = -1;
const DAY_MS = 24 * 60 * 60 * 1000;

export const TOPICS = {
  ingestEvents: {
    name: 'cdp.ingest.events',
    valueSchema: 'cdp.ingest.IngestedEvent',
    valueSchemas: ['cdp.ingest.IngestedEvent'],
    key: 'userId, else anonymousId, else messageId (see ingestedEventKey): one known customer\'s events stay in order',
    partitions: 12,
    retentionMs: FOREVER,
    cleanupPolicy: 'delete',
  },
  ingestDeadLetter: {
    name: 'cdp.ingest.deadletter',
    valueSchema: 'cdp.ingest.DeadLetter',
    valueSchemas: ['cdp.ingest.DeadLetter'],
    key: 'the original message key when there was one, else the dead letter id',
    partitions: 3,
    retentionMs: 90 * DAY_MS,
    cleanupPolicy: 'delete',
  },
  identityResolvedEvents: {
    name: 'cdp.identity.resolved-events',
    valueSchema: 'cdp.identity.ResolvedEvent',
    valueSchemas: ['cdp.identity.ResolvedEvent'],
    key: 'profileId (canonical profile at resolution time)',
    partitions: 12,
    retentionMs: FOREVER,
    cleanupPolicy: 'delete',
  },
  identityProfileMerged: {
    name: 'cdp.identity.profile-merged',
    valueSchema: 'cdp.identity.ProfilesMerged',
    valueSchemas: ['cdp.identity.ProfilesMerged', 'cdp.identity.ProfileSplit'],
    key: 'profileId of the surviving profile (ProfilesMerged.survivorProfileId, ProfileSplit.profileId), so a merge and its undo stay ordered',
    partitions: 12,
    retentionMs: FOREVER,
    cleanupPolicy: 'delete',
  },
  identityMergeCapped: {
    name: 'cdp.identity.merge-capped',
    valueSchema: 'cdp.identity.MergeCapped',
    valueSchemas: ['cdp.identity.MergeCapped'],
    key: 'profileId of the oldest matched profile (MergeCapped.survivorProfileId)',
    partitions: 3,
    retentionMs: 90 * DAY_MS,
    cleanupPolicy: 'delete',
  },
  profileChanged: {
    name: 'cdp.profile.changed',
    valueSchema: 'cdp.profile.ProfileChanged',
    valueSchemas: ['cdp.profile.ProfileChanged'],
    key: 'profileId; a null value (tombstone) means the profile was erased',
    partitions: 12,
    retentionMs: FOREVER,
    cleanupPolicy: 'compact',
  },
  segmentMembershipChanged: {
    name: 'cdp.segment.membership-changed',
    valueSchema: 'cdp.segment.SegmentMembershipChanged',
    valueSchemas: ['cdp.segment.SegmentMembershipChanged'],
    key: 'profileId',
    partitions: 12,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
  },
  loyaltyLedger: {
    name: 'cdp.loyalty.ledger',
    valueSchema: 'cdp.loyalty.LedgerEntry',
    valueSchemas: ['cdp.loyalty.LedgerEntry'],
    key: 'profileId of the member whose balance the entry changes',
    partitions: 12,
    retentionMs: FOREVER,
    cleanupPolicy: 'delete',
  },
  loyaltyNotifications: {
    name: 'cdp.loyalty.notifications',
    valueSchema: 'cdp.loyalty.NotificationRequested',
    valueSchemas: ['cdp.loyalty.NotificationRequested'],
    key: 'profileId of the member to notify',
    partitions: 12,
    retentionMs: 30 * DAY_MS,
    cleanupPolicy: 'delete',
  },
  privacyErasureRequested: {
    name: 'cdp.privacy.erasure-requested',
    valueSchema: 'cdp.privacy.ErasureRequested',
    valueSchemas: ['cdp.privacy.ErasureRequested'],
    key: 'profileId',
    partitions: 3,
    retentionMs: FOREVER,
    cleanupPolicy: 'delete',
  },
  privacyErasureConfirmed: {
    name: 'cdp.privacy.erasure-confirmed',
    valueSchema: 'cdp.privacy.ErasureConfirmed',
    valueSchemas: ['cdp.privacy.ErasureConfirmed'],
    key: 'profileId (ErasureConfirmed.data.profileId)',
    partitions: 3,
    retentionMs: FOREVER,
    cleanupPolicy: 'delete',
  },
  authTokens: {
    name: 'cdp.auth.tokens',
    valueSchema: 'cdp.auth.AccessToken',
    valueSchemas: ['cdp.auth.AccessToken'],
    key: 'tokenId; the latest message per token is its state (revoked tokens stay, revoked)',
    partitions: 3,
    retentionMs: FOREVER,
    cleanupPolicy: 'compact',
  },
} as const satisfies Record<string, TopicDefinition>;

export type TopicKey = keyof typeof TOPICS;

export const ALL_TOPICS: readonly TopicDefinition[] = Object.values(TOPICS);

/**
 * Physical topic name. The prefix is prepended as is (give it its own separator, e.g. `t-1a2b.`), so
 * test runs get private topics while record-name subjects stay the same.
 */
export function topicName(topic: TopicDefinition | TopicKey, prefix = ''): string {
  const def = typeof topic === 'string' ? TOPICS[topic] : topic;
  if (!def) throw new ContractError('CONTRACT_UNKNOWN_TOPIC', `unknown topic ${String(topic)}`);
  return `${prefix}${def.name}`;
}

/** The topic definition behind a physical name, or undefined when the name is not ours. */
export function topicByName(name: string, prefix = ''): TopicDefinition | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const bare = name.slice(prefix.length);
  return ALL_TOPICS.find((t) => t.name === bare);
}

/** Topic-level configs for topic creation (kafkajs `configEntries`). */
export function topicConfigEntries(topic: TopicDefinition): { name: string; value: string }[] {
  return [
    { name: 'cleanup.policy', value: topic.cleanupPolicy },
    { name: 'retention.ms', value: String(topic.retentionMs) },
  ];
}

/**
 * Message key of an ingested event: userId, else anonymousId, else messageId. A known customer's events
 * share a partition whatever device sent them; anonymous traffic stays in order per device. The identify
 * call that links a device to a user lands in the user's partition, so identity resolution must not
 * assume that a device's anonymous events and its identify call share a partition (merges across
 * partitions are serialised in Postgres).
 */
export function ingestedEventKey(event: Pick<IngestedEvent, 'anonymousId' | 'userId' | 'messageId'>): string {
  return event.userId || event.anonymousId || event.messageId;
}
