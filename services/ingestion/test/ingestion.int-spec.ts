import { describeServiceConformance } from '@cdp/service-kit/testing';
import { ingestionConfig } from '../src/config';
import { ingestionService } from '../src/ingestion.definition';

describeServiceConformance({ definition: ingestionService, config: ingestionConfig, extraChecks: ['auth-tokens'], kafkaDependentChecks: ['auth-tokens'] });
