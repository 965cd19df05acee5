import type { ServiceDefinition } from '@cdp/service-kit';
import { version } from '../package.json';
import type { ProfileConfig } from './config';
import { ProfileModule } from './profile.module';
import { PROFILE_MIGRATIONS } from './persistence/migrations';

export const profileService: ServiceDefinition<ProfileConfig> = {
  name: 'profile',
  version,
  module: ProfileModule,
  database: { migrations: PROFILE_MIGRATIONS },
};
