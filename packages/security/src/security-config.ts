import { ConfigError, env, NODE_ENVS, type ConfigIssue, type EnvValues, type NodeEnv } from '@cdp/config';
import { BLIND_INDEX_MIN_KEY_BYTES } from './crypto/blind-index';
import { KEY_ID_PATTERN, type KeyRingConfig } from './crypto/key-ring';

/**
 * Development defaults, published here and in the README so a laptop works without set-up. They
 * apply only when NODE_ENV is development or test; production must set its own, and refuses these.
 */
export const DEVELOPMENT_MASTER_KEYS = 'dev-1:CgXkKaCapab0FxYJo/yESVynNiQPOtbd2XoWAZs/xEg=';
export const DEVELOPMENT_BLIND_INDEX_KEY = '30MxcKK/EmeWDtt4pUks3th7U37f8x0I+r08mwq41x4=';
export const DEVELOPMENT_BOOTSTRAP_ADMIN_TOKEN = 'cdp-dev-admin-token';

const MASTER_KEY_BYTES = 32;
const BOOTSTRAP_TOKEN_MIN_LENGTH = 16;

/**
 * The security variables, to spread into a service's `serviceConfig(..., { env })`. They are read
 * as plain text and validated by buildSecuritySettings, which never echoes a value: these are
 * secrets, and start-up errors end up in logs. NODE_ENV is the same definition as the common one
 * (declaring it again changes nothing) so that `build` sees it.
 */
export const securityEnv = {
  NODE_ENV: env.oneOf(NODE_ENVS).default('development'),
  CDP_MASTER_KEYS: env.string().optional(),
  CDP_MASTER_KEY_ID: env.string().optional(),
  CDP_BLIND_INDEX_KEY: env.string().optional(),
  CDP_BOOTSTRAP_ADMIN_TOKEN: env.string().optional(),
};

export type SecurityEnvValues = EnvValues<typeof securityEnv>;

export interface SecuritySettings {
  /** For `KeyRing.fromConfig`: every master key by id, and the one new data keys are wrapped with. */
  masterKeys: KeyRingConfig;
  /** For `new BlindIndex(key)`. */
  blindIndexKey: Buffer;
  /** Always an admin token, so the first tokens can be created. */
  bootstrapAdminToken: string;
  /** Variables that fell back to their development default (always empty in production). */
  developmentDefaults: string[];
}

/**
 * Validates the security variables. In development and test an unset variable takes its
 * documented development default; in production each of CDP_MASTER_KEYS, CDP_BLIND_INDEX_KEY and
 * CDP_BOOTSTRAP_ADMIN_TOKEN must be set (and differ from the development value), and every missing
 * or malformed one is named in a single ConfigError.
 */
export function buildSecuritySettings(values: Omit<SecurityEnvValues, 'NODE_ENV'>, nodeEnv: NodeEnv): SecuritySettings {
  const production = nodeEnv === 'production';
  const issues: ConfigIssue[] = [];
  const developmentDefaults: string[] = [];
  const fail = (variable: string, reason: string) => issues.push({ variable, reason, received: undefined });
  const given = (variable: keyof typeof values, fallback: string): string | undefined => {
    const raw = values[variable];
    if (raw !== undefined) {
      if (production && raw === fallback) fail(variable, 'is the published development value; set a secret of your own in production');
      return raw;
    }
    if (production) {
      fail(variable, 'required when NODE_ENV is production');
      return undefined;
    }
    developmentDefaults.push(variable);
    return fallback;
  };

  let masterKeys: KeyRingConfig | undefined;
  const masterText = given('CDP_MASTER_KEYS', DEVELOPMENT_MASTER_KEYS);
  if (masterText !== undefined) {
    const parsed = parseMasterKeys(masterText);
    if (typeof parsed === 'string') fail('CDP_MASTER_KEYS', parsed);
    else {
      if (production && values.CDP_MASTER_KEYS !== DEVELOPMENT_MASTER_KEYS) {
        const development = parseMasterKeys(DEVELOPMENT_MASTER_KEYS) as ParsedKeys;
        const devKey = Object.values(development.keys)[0]!;
        if (Object.values(parsed.keys).some((key) => key.equals(devKey))) {
          fail('CDP_MASTER_KEYS', 'contains the published development key; set keys of your own in production');
        }
      }
      const activeKeyId = values.CDP_MASTER_KEY_ID ?? parsed.order[parsed.order.length - 1]!;
      if (!(activeKeyId in parsed.keys)) {
        fail('CDP_MASTER_KEY_ID', `expected one of the key ids of CDP_MASTER_KEYS (${parsed.order.join(', ')})`);
      } else {
        masterKeys = { activeKeyId, keys: parsed.keys };
      }
    }
  } else if (values.CDP_MASTER_KEY_ID !== undefined && !KEY_ID_PATTERN.test(values.CDP_MASTER_KEY_ID)) {
    fail('CDP_MASTER_KEY_ID', `expected a key id matching ${KEY_ID_PATTERN}`);
  }

  let blindIndexKey: Buffer | undefined;
  const blindText = given('CDP_BLIND_INDEX_KEY', DEVELOPMENT_BLIND_INDEX_KEY);
  if (blindText !== undefined) {
    const key = decodeBase64(blindText);
    if (!key || key.length < BLIND_INDEX_MIN_KEY_BYTES) fail('CDP_BLIND_INDEX_KEY', `expected base64 of at least ${BLIND_INDEX_MIN_KEY_BYTES} bytes`);
    else blindIndexKey = key;
  }

  const token = given('CDP_BOOTSTRAP_ADMIN_TOKEN', DEVELOPMENT_BOOTSTRAP_ADMIN_TOKEN);
  if (token !== undefined && !new RegExp(`^\\S{${BOOTSTRAP_TOKEN_MIN_LENGTH},}$`).test(token)) {
    fail('CDP_BOOTSTRAP_ADMIN_TOKEN', `expected at least ${BOOTSTRAP_TOKEN_MIN_LENGTH} characters without spaces`);
  }

  if (issues.length > 0 || !masterKeys || !blindIndexKey || token === undefined) {
    throw new ConfigError(issues.sort((a, b) => a.variable.localeCompare(b.variable)));
  }
  return { masterKeys, blindIndexKey, bootstrapAdminToken: token, developmentDefaults };
}

/** buildSecuritySettings with the NODE_ENV that securityEnv also reads. */
export function securitySettingsFrom(values: SecurityEnvValues): SecuritySettings {
  return buildSecuritySettings(values, values.NODE_ENV);
}

interface ParsedKeys {
  order: string[];
  keys: Record<string, Buffer>;
}

/** `kid:base64key,kid2:base64key`, each key 32 bytes; the reason (never echoing a key) when malformed. */
export function parseMasterKeys(text: string): ParsedKeys | string {
  const order: string[] = [];
  const keys: Record<string, Buffer> = {};
  const entries = text.split(',').map((entry) => entry.trim());
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const keyId = colon < 0 ? '' : entry.slice(0, colon);
    if (!KEY_ID_PATTERN.test(keyId)) return `entry ${index + 1}: expected <key id>:<base64 key> with a key id of letters, digits, ".", "_" or "-"`;
    if (keyId in keys) return `key id "${keyId}" is listed twice`;
    const key = decodeBase64(entry.slice(colon + 1));
    if (!key || key.length !== MASTER_KEY_BYTES) return `key "${keyId}": expected base64 of exactly ${MASTER_KEY_BYTES} bytes`;
    order.push(keyId);
    keys[keyId] = key;
  }
  return { order, keys };
}

/** Standard or URL-safe base64, padded or not; undefined for anything else (Buffer.from would skip bad characters silently). */
export function decodeBase64(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) || trimmed.replace(/=+$/, '').length % 4 === 1) return undefined;
  return Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}
