import { serviceConfig, type ServiceConfig } from '@cdp/config';

export type LoyaltyConfig = ServiceConfig;

/** Defaults match infra/services.json. */
export const loyaltyConfig = serviceConfig({ name: 'loyalty', port: 4005, schema: 'loyalty' });
