import { env, serviceConfig, type ServiceConfig } from '@cdp/config';
import { securityEnv, securitySettingsFrom, type SecuritySettings } from '@cdp/security';

export interface LoyaltySettings {
  /** Segmentation's base URL for segment and tag targeting; null: membership is unknown, so nobody is a member. */
  segmentationUrl: string | null;
  segmentationTimeoutMs: number;
  /** How often each instance looks for accounts with due work (activations, expiries, tier reviews, notices); 0: never (run it through the API). */
  dueWorkIntervalMs: number;
  /** Accounts claimed per due-work transaction. */
  dueWorkBatchSize: number;
}

export type LoyaltyConfig = ServiceConfig & { security: SecuritySettings; loyalty: LoyaltySettings };

/** Defaults match infra/services.json; the security variables (keys, bootstrap token) come from @cdp/security. */
export const loyaltyConfig = serviceConfig(
  { name: 'loyalty', port: 4005, schema: 'loyalty' },
  {
    env: {
      ...securityEnv,
      LOYALTY_SEGMENTATION_URL: env.url().optional(),
      LOYALTY_SEGMENTATION_TIMEOUT_MS: env.int({ min: 50, max: 60_000 }).default('2000'),
      LOYALTY_DUE_WORK_INTERVAL_MS: env.int({ min: 0, max: 86_400_000 }).default('60000'),
      LOYALTY_DUE_WORK_BATCH_SIZE: env.int({ min: 1, max: 10_000 }).default('500'),
    },
    build: (values) => ({
      security: securitySettingsFrom(values),
      loyalty: {
        segmentationUrl: values.LOYALTY_SEGMENTATION_URL ? String(values.LOYALTY_SEGMENTATION_URL).replace(/\/+$/, '') : null,
        segmentationTimeoutMs: values.LOYALTY_SEGMENTATION_TIMEOUT_MS,
        dueWorkIntervalMs: values.LOYALTY_DUE_WORK_INTERVAL_MS,
        dueWorkBatchSize: values.LOYALTY_DUE_WORK_BATCH_SIZE,
      },
    }),
  },
);
