import { describeServiceConformance } from '@cdp/service-kit/testing';
import { identityConfig } from '../src/config';
import { identityService } from '../src/identity.definition';

describeServiceConformance({ definition: identityService, config: identityConfig, extraChecks: ['auth-tokens'], kafkaDependentChecks: ['auth-tokens'] });
