import { Controller } from '@nestjs/common';
import type { ErasureRequested, IngestedEvent } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import { BatchHandler, type BatchResult, type ConsumedBatch } from '@cdp/kafka';
import { ErasureService } from '../application/erasure.service';
import { IdentityResolver } from '../application/identity-resolver';

/**
 * Ingested events in, each resolved to its profile (and merges) out; erasure requests in, confirmations
 * out. One transaction per batch.
 */
@Controller()
export class IdentityConsumer {
  constructor(
    private readonly resolver: IdentityResolver,
    private readonly erasure: ErasureService,
  ) {}

  @BatchHandler(TOPICS.privacyErasureRequested, { groupId: 'identity' })
  erase(batch: ConsumedBatch<ErasureRequested>): Promise<void> {
    return this.erasure.erase(batch);
  }

  @BatchHandler(TOPICS.ingestEvents, { groupId: 'identity' })
  handle(batch: ConsumedBatch<IngestedEvent>): Promise<BatchResult> {
    return this.resolver.resolve(batch);
  }
}
