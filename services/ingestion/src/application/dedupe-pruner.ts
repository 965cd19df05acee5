import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { IngestionConfig } from '../config';
import { ReceivedMessagesRepository } from '../persistence/received-messages.repository';

const PRUNE_EVERY_MS = 15 * 60 * 1000;
const FIRST_PRUNE_AFTER_MS = 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** Forgets messageIds older than the retention. Every instance prunes; the deletes are idempotent. */
@Injectable()
export class DedupePruner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DedupePruner');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly receivedMessages: ReceivedMessagesRepository,
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
  ) {}

  onApplicationBootstrap(): void {
    const schedule = (ms: number) => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.running = this.prune().then(() => undefined).finally(() => schedule(PRUNE_EVERY_MS));
      }, ms);
      this.timer.unref();
    };
    schedule(FIRST_PRUNE_AFTER_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  async prune(now = Date.now()): Promise<number> {
    try {
      const deleted = await this.receivedMessages.prune(new Date(now - this.config.ingestion.dedupeRetentionHours * HOUR_MS));
      if (deleted > 0) this.logger.log({ deleted }, 'pruned remembered messageIds');
      return deleted;
    } catch (error) {
      this.logger.warn({ err: error }, 'pruning remembered messageIds failed; retrying later');
      return 0;
    }
  }
}
