import 'reflect-metadata';
import { loadConfig } from '@cdp/config';
import { runService } from '@cdp/service-kit';
import { loyaltyConfig } from './config';
import { loyaltyService } from './loyalty.definition';

void runService(loyaltyService, () => loadConfig(loyaltyConfig));
