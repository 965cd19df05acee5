import { env, serviceConfig, type ServiceConfig } from '@cdp/config';
import { securityEnv, securitySettingsFrom, type SecuritySettings } from '@cdp/security';

export const DEFAULT_ERASURE_SERVICES = 'identity,analytics,segmentation,loyalty,profile';

export interface ProfileSettings {
  /** Base URLs of the services the profile API asks for a person's timeline, segments and loyalty; unset: not configured. */
  analyticsUrl: string | undefined;
  segmentationUrl: string | undefined;
  loyaltyUrl: string | undefined;
  /** How long a call to one of those services may take before the answer is 503. */
  downstreamTimeoutMs: number;
  /** Services an erasure waits for; the receipt lists each with the time it confirmed. */
  erasureServices: string[];
}

export type ProfileConfig = ServiceConfig & { security: SecuritySettings; profile: ProfileSettings };

const SERVICE_LIST = /^[a-z][a-z0-9-]*(,[a-z][a-z0-9-]*)*$/;

/** Defaults match infra/services.json; the security variables (keys, bootstrap token) come from @cdp/security. */
export const profileConfig = serviceConfig(
  { name: 'profile', port: 4003, schema: 'profile' },
  {
    env: {
      ...securityEnv,
      PROFILE_ANALYTICS_URL: env.url().optional(),
      PROFILE_SEGMENTATION_URL: env.url().optional(),
      PROFILE_LOYALTY_URL: env.url().optional(),
      PROFILE_DOWNSTREAM_TIMEOUT_MS: env.int({ min: 50, max: 60_000 }).default('2000'),
      PROFILE_ERASURE_SERVICES: env.string({ pattern: SERVICE_LIST, description: 'expected a comma-separated list of service names' }).default(DEFAULT_ERASURE_SERVICES),
    },
    build: (values) => ({
      security: securitySettingsFrom(values),
      profile: {
        analyticsUrl: values.PROFILE_ANALYTICS_URL,
        segmentationUrl: values.PROFILE_SEGMENTATION_URL,
        loyaltyUrl: values.PROFILE_LOYALTY_URL,
        downstreamTimeoutMs: values.PROFILE_DOWNSTREAM_TIMEOUT_MS,
        erasureServices: [...new Set(values.PROFILE_ERASURE_SERVICES.split(','))],
      },
    }),
  },
);
