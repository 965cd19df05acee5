import 'reflect-metadata';
import { loadConfig } from '@cdp/config';
import { runService } from '@cdp/service-kit';
import { identityConfig } from './config';
import { identityService } from './identity.definition';

void runService(identityService, () => loadConfig(identityConfig));
