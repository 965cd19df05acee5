import { Module } from '@nestjs/common';
import { SecurityModule } from '@cdp/security';
import { MergeProjector } from './application/merge-projector';
import { PiiVault } from './application/pii-vault';
import { ProfileMetrics } from './application/profile.metrics';
import { ProfileProjector } from './application/profile-projector';
import { PROFILE_CLOCK } from './application/profile.tokens';
import { ViewRefresher } from './application/view-refresher';
import { ProjectionConsumer } from './consumers/projection.consumer';
import { ProjectionRepository } from './persistence/projection.repository';

/** Profile's own controllers, consumers and providers; health, metrics and `GET /` come from the service kit. */
@Module({
  imports: [SecurityModule.forRoot()],
  controllers: [ProjectionConsumer],
  providers: [
    { provide: PROFILE_CLOCK, useValue: () => Date.now() },
    { provide: ProjectionRepository, useValue: new ProjectionRepository() },
    PiiVault,
    ProfileMetrics,
    ViewRefresher,
    ProfileProjector,
    MergeProjector,
  ],
})
export class ProfileModule {}
