import { describeServiceConformance } from '@cdp/service-kit/testing';
import { segmentationConfig } from '../src/config';
import { segmentationService } from '../src/segmentation.definition';

describeServiceConformance({ definition: segmentationService, config: segmentationConfig });
