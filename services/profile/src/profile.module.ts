import { Module } from '@nestjs/common';
import { SecurityModule } from '@cdp/security';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { ProfileConfig } from './config';
import { ErasuresController } from './api/erasures.controller';
import { KeysController } from './api/keys.controller';
import { ProfilesController } from './api/profiles.controller';
import { DownstreamClient } from './application/downstream.client';
import { ErasureService } from './application/erasure.service';
import { InteractionLogger } from './application/interaction-logger';
import { MergeProjector } from './application/merge-projector';
import { OutboxWriter } from './application/outbox-writer';
import { PiiVault } from './application/pii-vault';
import { ProfileMetrics } from './application/profile.metrics';
import { ProfileProjector } from './application/profile-projector';
import { ProfileReader } from './application/profile-reader';
import { ProfileSearch } from './application/profile-search';
import { PROFILE_CLOCK } from './application/profile.tokens';
import { ViewRefresher } from './application/view-refresher';
import { ErasureConfirmationsConsumer } from './consumers/erasure-confirmations.consumer';
import { ProjectionConsumer } from './consumers/projection.consumer';
import { ProfileReadRepository } from './persistence/profile-read.repository';
import { ProjectionRepository } from './persistence/projection.repository';

/** Profile's own controllers, consumers and providers; health, metrics and `GET /` come from the service kit. */
@Module({
  imports: [SecurityModule.forRoot()],
  controllers: [ProfilesController, ErasuresController, KeysController, ProjectionConsumer, ErasureConfirmationsConsumer],
  providers: [
    { provide: PROFILE_CLOCK, useValue: () => Date.now() },
    { provide: ProjectionRepository, inject: [SERVICE_CONFIG], useFactory: (config: ProfileConfig) => new ProjectionRepository(config.database.schema) },
    { provide: ProfileReadRepository, inject: [SERVICE_CONFIG], useFactory: (config: ProfileConfig) => new ProfileReadRepository(config.database.schema) },
    PiiVault,
    ProfileMetrics,
    ViewRefresher,
    ProfileProjector,
    MergeProjector,
    ProfileReader,
    ProfileSearch,
    OutboxWriter,
    InteractionLogger,
    ErasureService,
    DownstreamClient,
  ],
})
export class ProfileModule {}
