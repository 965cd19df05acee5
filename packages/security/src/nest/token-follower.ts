import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ReadinessChecks } from '@cdp/service-kit';
import { TokenRegistry } from '../auth/token-registry';
import { TokenTopic } from '../auth/token-topic';

/** Name of the readiness check: down until the registry has read cdp.auth.tokens to where it ended at start. */
export const TOKENS_READINESS_CHECK = 'auth-tokens';

/** Starts following cdp.auth.tokens with the application, and reports readiness once caught up. */
@Injectable()
export class TokenFollower implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly topic: TokenTopic,
    private readonly registry: TokenRegistry,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.readiness.register({
      name: TOKENS_READINESS_CHECK,
      check: async () => {
        if (!this.registry.caughtUp) {
          throw new Error(this.topic.problem ?? `reading cdp.auth.tokens; messages left per partition: ${JSON.stringify(this.registry.backlog())}`);
        }
        return { tokens: this.registry.list().length };
      },
    });
    this.topic.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.topic.stop();
  }
}
