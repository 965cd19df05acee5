import { describeServiceConformance } from '@cdp/service-kit/testing';
import { loyaltyConfig } from '../src/config';
import { loyaltyService } from '../src/loyalty.definition';

describeServiceConformance({ definition: loyaltyService, config: loyaltyConfig, extraChecks: ['auth-tokens'], kafkaDependentChecks: ['auth-tokens'] });
