import 'reflect-metadata';
import { loadConfig } from '@cdp/config';
import { runService } from '@cdp/service-kit';
import { ingestionConfig } from './config';
import { ingestionService } from './ingestion.definition';

void runService(ingestionService, () => loadConfig(ingestionConfig));
