import 'reflect-metadata';
import { loadConfig } from '@cdp/config';
import { runService } from '@cdp/service-kit';
import { segmentationConfig } from './config';
import { segmentationService } from './segmentation.definition';

void runService(segmentationService, () => loadConfig(segmentationConfig));
