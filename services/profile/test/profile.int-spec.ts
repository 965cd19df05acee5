import { describeServiceConformance } from '@cdp/service-kit/testing';
import { profileConfig } from '../src/config';
import { profileService } from '../src/profile.definition';

describeServiceConformance({ definition: profileService, config: profileConfig, extraChecks: ['auth-tokens'], kafkaDependentChecks: ['auth-tokens'] });
