import { Controller } from '@nestjs/common';
import type { ProfileSplit, ProfilesMerged, ResolvedEvent } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import { BatchHandler, type BatchResult, type ConsumedBatch } from '@cdp/kafka';
import { MergeProjector } from '../application/merge-projector';
import { ProfileProjector } from '../application/profile-projector';

/** The projection's inputs: resolved events, and the merges and splits of identity, each batch in one transaction. */
@Controller()
export class ProjectionConsumer {
  constructor(
    private readonly profiles: ProfileProjector,
    private readonly merges: MergeProjector,
  ) {}

  @BatchHandler(TOPICS.identityResolvedEvents, { groupId: 'profile' })
  resolvedEvents(batch: ConsumedBatch<ResolvedEvent>): Promise<BatchResult> {
    return this.profiles.project(batch);
  }

  @BatchHandler(TOPICS.identityProfileMerged, { groupId: 'profile' })
  mergesAndSplits(batch: ConsumedBatch<ProfilesMerged | ProfileSplit>): Promise<BatchResult> {
    return this.merges.project(batch);
  }
}
