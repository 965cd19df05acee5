import { Module } from '@nestjs/common';
import type { ServiceConfig } from '@cdp/config';
import { SecurityModule } from '@cdp/security';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import { IdentitiesController } from './api/identities.controller';
import { MergesController } from './api/merges.controller';
import { RulesController } from './api/rules.controller';
import { ErasureService } from './application/erasure.service';
import { IdentifierVault } from './application/identifier-vault';
import { IdentityDirectory } from './application/identity-directory';
import { IdentityOutbox } from './application/identity-outbox';
import { IdentityResolver } from './application/identity-resolver';
import { IdentityMetrics } from './application/identity.metrics';
import { RulesAdmin } from './application/rules-admin';
import { SplitService } from './application/split.service';
import { IdentityConsumer } from './consumers/identity.consumer';
import { GraphRepository } from './persistence/graph.repository';
import { IdentityQueries } from './persistence/identity-queries';
import { RulesRepository } from './persistence/rules.repository';

/** Identity's own controllers, consumers and providers; health, metrics and `GET /` come from the service kit. */
@Module({
  imports: [SecurityModule.forRoot()],
  controllers: [IdentityConsumer, IdentitiesController, MergesController, RulesController],
  providers: [
    IdentifierVault,
    { provide: GraphRepository, inject: [SERVICE_CONFIG], useFactory: (config: ServiceConfig) => new GraphRepository(config.database.schema) },
    IdentityQueries,
    RulesRepository,
    IdentityMetrics,
    IdentityResolver,
    IdentityDirectory,
    IdentityOutbox,
    SplitService,
    RulesAdmin,
    ErasureService,
  ],
})
export class IdentityModule {}
