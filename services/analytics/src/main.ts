import 'reflect-metadata';
import { loadConfig } from '@cdp/config';
import { runService } from '@cdp/service-kit';
import { analyticsConfig } from './config';
import { analyticsService } from './analytics.definition';

void runService(analyticsService, () => loadConfig(analyticsConfig));
