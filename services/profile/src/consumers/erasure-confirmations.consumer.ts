import { Controller } from '@nestjs/common';
import type { ErasureConfirmed } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import { BatchHandler, type BatchResult, type ConsumedBatch } from '@cdp/kafka';
import { ErasureService } from '../application/erasure.service';

/** Confirmations of the services an erasure was sent to, kept for the receipt. */
@Controller()
export class ErasureConfirmationsConsumer {
  constructor(private readonly erasures: ErasureService) {}

  @BatchHandler(TOPICS.privacyErasureConfirmed, { groupId: 'profile' })
  handle(batch: ConsumedBatch<ErasureConfirmed>): Promise<BatchResult> {
    return this.erasures.confirmations(batch);
  }
}
