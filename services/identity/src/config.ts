import { serviceConfig, type ServiceConfig } from '@cdp/config';

export type IdentityConfig = ServiceConfig;

/** Defaults match infra/services.json. */
export const identityConfig = serviceConfig({ name: 'identity', port: 4002, schema: 'identity' });
