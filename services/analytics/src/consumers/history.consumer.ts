import { Controller } from '@nestjs/common';
import { TOPICS, type ResolvedEvent } from '@cdp/contracts';
import { BatchHandler, type ConsumedBatch } from '@cdp/kafka';
import { HistorySink } from '../history/history-sink';
import type { IdentityChange } from '../history/profile-aliases';

/** Consumer group of the behavioural history (its offsets live in the analytics schema). */
export const HISTORY_GROUP = 'analytics-history';

/** Resolved events and identity merges/splits into ClickHouse, one insert per batch and table. */
@Controller()
export class HistoryConsumer {
  constructor(private readonly sink: HistorySink) {}

  @BatchHandler(TOPICS.identityResolvedEvents, { groupId: HISTORY_GROUP })
  async resolvedEvents(batch: ConsumedBatch<ResolvedEvent>): Promise<void> {
    await this.sink.recordEvents(batch.messages.map((m) => m.value));
  }

  /** The topic carries ProfilesMerged and ProfileSplit, in order per survivor. */
  @BatchHandler(TOPICS.identityProfileMerged, { groupId: HISTORY_GROUP })
  async identityChanges(batch: ConsumedBatch<IdentityChange>): Promise<void> {
    await this.sink.recordIdentityChanges(batch.messages.map((m) => m.value));
  }
}
