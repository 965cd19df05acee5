import { Controller } from '@nestjs/common';
import type { ProfileSplit, ProfilesMerged, ResolvedEvent } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import { BatchHandler, type BatchResult, type ConsumedBatch } from '@cdp/kafka';
import { InputProcessor } from '../application/input-processor';

/**
 * Resolved events (orders, refunds, activities) and identity's merges and splits in, ledger entries
 * and notification requests out, one transaction per batch.
 */
@Controller()
export class LoyaltyInputsConsumer {
  constructor(private readonly processor: InputProcessor) {}

  @BatchHandler(TOPICS.identityResolvedEvents, { groupId: 'loyalty' })
  resolved(batch: ConsumedBatch<ResolvedEvent>): Promise<BatchResult> {
    return this.processor.resolved(batch);
  }

  @BatchHandler(TOPICS.identityProfileMerged, { groupId: 'loyalty' })
  identityChanges(batch: ConsumedBatch<ProfilesMerged | ProfileSplit>): Promise<BatchResult> {
    return this.processor.identityChanges(batch);
  }
}
