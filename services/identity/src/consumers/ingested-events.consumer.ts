import { Controller } from '@nestjs/common';
import type { IngestedEvent } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import { BatchHandler, type BatchResult, type ConsumedBatch } from '@cdp/kafka';
import { IdentityResolver } from '../application/identity-resolver';

/** Ingested events in, each resolved to its profile (and merges) out, one transaction per batch. */
@Controller()
export class IngestedEventsConsumer {
  constructor(private readonly resolver: IdentityResolver) {}

  @BatchHandler(TOPICS.ingestEvents, { groupId: 'identity' })
  handle(batch: ConsumedBatch<IngestedEvent>): Promise<BatchResult> {
    return this.resolver.resolve(batch);
  }
}
