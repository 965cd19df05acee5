import { serviceConfig, type ServiceConfig } from '@cdp/config';

export type ProfileConfig = ServiceConfig;

/** Defaults match infra/services.json. */
export const profileConfig = serviceConfig({ name: 'profile', port: 4003, schema: 'profile' });
