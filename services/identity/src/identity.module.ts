import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import { IdentifierVault } from './application/identifier-vault';
import { IdentityResolver } from './application/identity-resolver';
import { IdentityMetrics } from './application/identity.metrics';
import { IDENTIFIER_VAULT } from './application/identity.tokens';
import type { IdentityConfig } from './config';
import { IngestedEventsConsumer } from './consumers/ingested-events.consumer';
import { GraphRepository } from './persistence/graph.repository';
import { RulesRepository } from './persistence/rules.repository';

/** Identity's own controllers, consumers and providers; health, metrics and `GET /` come from the service kit. */
@Module({
  controllers: [IngestedEventsConsumer],
  providers: [
    { provide: IDENTIFIER_VAULT, inject: [SERVICE_CONFIG], useFactory: (config: IdentityConfig) => new IdentifierVault(config.security) },
    { provide: GraphRepository, useValue: new GraphRepository() },
    RulesRepository,
    IdentityMetrics,
    IdentityResolver,
  ],
})
export class IdentityModule {}
