import { securityEnv, securitySettingsFrom, type SecuritySettings } from '@cdp/security';
import { serviceConfig, type ServiceConfig } from '@cdp/config';

export type IdentityConfig = ServiceConfig & { security: SecuritySettings };

/** Defaults match infra/services.json; the security variables (keys, bootstrap token) come from @cdp/security. */
export const identityConfig = serviceConfig(
  { name: 'identity', port: 4002, schema: 'identity' },
  { env: securityEnv, build: (values) => ({ security: securitySettingsFrom(values) }) },
);
