import 'reflect-metadata';
import { loadConfig } from '@cdp/config';
import { runService } from '@cdp/service-kit';
import { profileConfig } from './config';
import { profileService } from './profile.definition';

void runService(profileService, () => loadConfig(profileConfig));
