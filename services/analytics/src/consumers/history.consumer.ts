import { Controller } from '@nestjs/common';
import { TOPICS, type ResolvedEvent } from '@cdp/contracts';
import { BatchHandler, type ConsumedBatch, type ConsumerTuning } from '@cdp/kafka';
import { HistorySink } from '../history/history-sink';
import type { IdentityChange } from '../history/profile-aliases';

/** Consumer group of the behavioural history (its offsets live in the analytics schema). */
export const HISTORY_GROUP = 'analytics-history';

/**
 * What the sink wants from its batch consumer: ClickHouse pays per insert (a part per month
 * touched and table), so 10,000 messages per transaction instead of the runtime's 1,000, and three
 * partitions at a time so that one partition's insert overlaps another's decoding and commit (the
 * pool needs one connection per partition plus one for the relay). bench/suites/analytics.ts
 * measures the sink with and without them.
 */
export const HISTORY_CONSUMER_TUNING: ConsumerTuning = {
  maxBatchSize: 10_000,
  partitionsConsumedConcurrently: 3,
  maxBytesPerPartition: 16 * 1024 * 1024,
};

/** Resolved events and identity merges/splits into ClickHouse, one insert per batch and table. */
@Controller()
export class HistoryConsumer {
  constructor(private readonly sink: HistorySink) {}

  @BatchHandler(TOPICS.identityResolvedEvents, { groupId: HISTORY_GROUP })
  async resolvedEvents(batch: ConsumedBatch<ResolvedEvent>): Promise<void> {
    await this.sink.recordEvents(batch.messages.map((m) => m.value));
  }

  /**
   * The topic carries ProfilesMerged and ProfileSplit, in order per survivor only. Applying them
   * reads the alias rows and writes new ones, so two batches (other partitions, other instances)
   * must not interleave: the batch transaction holds an advisory lock until it commits, which is
   * after the insert, so the next batch reads what this one wrote. Merges are rare; one lock will do.
   */
  @BatchHandler(TOPICS.identityProfileMerged, { groupId: HISTORY_GROUP })
  async identityChanges(batch: ConsumedBatch<IdentityChange>): Promise<void> {
    await batch.tx.query("SELECT pg_advisory_xact_lock(hashtext('analytics'), hashtext('profile_aliases'))");
    await this.sink.recordIdentityChanges(batch.messages.map((m) => m.value));
  }
}
