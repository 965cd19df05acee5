import type { ServiceConfig } from '@cdp/config';
import type { DataKeyCacheOptions } from '../crypto/data-key-store';
import type { SecuritySettings } from '../security-config';

export interface SecurityModuleOptions {
  /** Where the settings are in the service's config; default `config.security`. */
  settings?: (config: ServiceConfig) => SecuritySettings;
  /** Mount `/v1/tokens` (default true). */
  tokenApi?: boolean;
  /** Mount `GET /v1/audit` (default true). */
  auditApi?: boolean;
  dataKeyCache?: DataKeyCacheOptions;
  /** How long a token change waits for Kafka and then for this instance to apply it (default 10 s). */
  readYourWritesTimeoutMs?: number;
  /** Epoch ms now; expiry is checked against it (default Date.now). */
  clock?: () => number;
}
