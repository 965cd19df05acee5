import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, serviceConfig } from '@cdp/config';
import { KeyRing } from './crypto/key-ring';
import { BlindIndex } from './crypto/blind-index';
import {
  buildSecuritySettings,
  DEVELOPMENT_BLIND_INDEX_KEY,
  DEVELOPMENT_BOOTSTRAP_ADMIN_TOKEN,
  DEVELOPMENT_MASTER_KEYS,
  securityEnv,
  securitySettingsFrom,
} from './security-config';

const b64 = (bytes: number) => randomBytes(bytes).toString('base64');
const unset = { CDP_MASTER_KEYS: undefined, CDP_MASTER_KEY_ID: undefined, CDP_BLIND_INDEX_KEY: undefined, CDP_BOOTSTRAP_ADMIN_TOKEN: undefined };

function configError(work: () => unknown): ConfigError {
  try {
    work();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('security settings', () => {
  const identity = serviceConfig(
    { name: 'identity', port: 4002, schema: 'identity' },
    { env: securityEnv, build: (values) => ({ security: securitySettingsFrom(values) }) },
  );

  it('runs on the documented development defaults in development and test', () => {
    for (const NODE_ENV of ['development', 'test']) {
      const { security } = loadConfig(identity, { NODE_ENV });
      expect(security.bootstrapAdminToken).toBe(DEVELOPMENT_BOOTSTRAP_ADMIN_TOKEN);
      expect(security.masterKeys.activeKeyId).toBe('dev-1');
      expect(security.masterKeys.keys['dev-1']!.toString('base64')).toBe(DEVELOPMENT_MASTER_KEYS.slice('dev-1:'.length));
      expect(security.blindIndexKey.toString('base64')).toBe(DEVELOPMENT_BLIND_INDEX_KEY);
      expect(security.developmentDefaults).toEqual(['CDP_MASTER_KEYS', 'CDP_BLIND_INDEX_KEY', 'CDP_BOOTSTRAP_ADMIN_TOKEN']);
      // The defaults are usable as they are.
      expect(() => KeyRing.fromConfig(security.masterKeys)).not.toThrow();
      expect(() => new BlindIndex(security.blindIndexKey)).not.toThrow();
    }
  });

  it('names every missing variable when production starts without them', () => {
    const error = configError(() => loadConfig(identity, { NODE_ENV: 'production' }));
    expect(error.message).toBe(
      'Invalid configuration: CDP_BLIND_INDEX_KEY: required when NODE_ENV is production; ' +
        'CDP_BOOTSTRAP_ADMIN_TOKEN: required when NODE_ENV is production; ' +
        'CDP_MASTER_KEYS: required when NODE_ENV is production',
    );
  });

  it('takes its keys from the environment, the last listed master key being the active one by default', () => {
    const [k1, k2, blind] = [b64(32), b64(32), b64(48)];
    const env = { NODE_ENV: 'production', CDP_MASTER_KEYS: `2026-01:${k1}, 2026-07:${k2}`, CDP_BLIND_INDEX_KEY: blind, CDP_BOOTSTRAP_ADMIN_TOKEN: 'bootstrap-secret-0123456789' };
    const { security } = loadConfig(identity, env);
    expect(security.masterKeys.activeKeyId).toBe('2026-07');
    expect(Object.keys(security.masterKeys.keys)).toEqual(['2026-01', '2026-07']);
    expect(security.masterKeys.keys['2026-01']!.toString('base64')).toBe(k1);
    expect(security.blindIndexKey.length).toBe(48);
    expect(security.developmentDefaults).toEqual([]);
    expect(loadConfig(identity, { ...env, CDP_MASTER_KEY_ID: '2026-01' }).security.masterKeys.activeKeyId).toBe('2026-01');
  });

  it('refuses malformed values without ever echoing a secret', () => {
    const short = b64(16);
    const error = configError(() =>
      buildSecuritySettings(
        { CDP_MASTER_KEYS: `k1:${short}`, CDP_MASTER_KEY_ID: undefined, CDP_BLIND_INDEX_KEY: 'not base64!', CDP_BOOTSTRAP_ADMIN_TOKEN: 'short' },
        'test',
      ),
    );
    expect(error.issues.map((i) => `${i.variable}: ${i.reason}`)).toEqual([
      'CDP_BLIND_INDEX_KEY: expected base64 of at least 32 bytes',
      'CDP_BOOTSTRAP_ADMIN_TOKEN: expected at least 16 characters without spaces',
      'CDP_MASTER_KEYS: key "k1": expected base64 of exactly 32 bytes',
    ]);
    expect(error.message).not.toContain(short);
    expect(error.message).not.toContain('not base64!');
    expect(error.message).not.toContain('short"');
  });

  it('refuses duplicate key ids, entries without an id and an active id that is not listed', () => {
    const k = b64(32);
    const reasons = (CDP_MASTER_KEYS: string, CDP_MASTER_KEY_ID?: string) =>
      configError(() => buildSecuritySettings({ ...unset, CDP_MASTER_KEYS, CDP_MASTER_KEY_ID }, 'test')).issues.map((i) => `${i.variable}: ${i.reason}`);
    expect(reasons(`a:${k},a:${k}`)).toEqual(['CDP_MASTER_KEYS: key id "a" is listed twice']);
    expect(reasons(k)).toEqual([expect.stringMatching(/^CDP_MASTER_KEYS: entry 1: expected <key id>:<base64 key>/)]);
    expect(reasons(`a:${k}`, 'b')).toEqual(['CDP_MASTER_KEY_ID: expected one of the key ids of CDP_MASTER_KEYS (a)']);
  });

  it('refuses the published development values in production', () => {
    const error = configError(() =>
      buildSecuritySettings(
        {
          CDP_MASTER_KEYS: `prod-1:${b64(32)},${DEVELOPMENT_MASTER_KEYS.replace('dev-1', 'old')}`,
          CDP_MASTER_KEY_ID: 'prod-1',
          CDP_BLIND_INDEX_KEY: DEVELOPMENT_BLIND_INDEX_KEY,
          CDP_BOOTSTRAP_ADMIN_TOKEN: DEVELOPMENT_BOOTSTRAP_ADMIN_TOKEN,
        },
        'production',
      ),
    );
    expect(error.issues.map((i) => i.variable)).toEqual(['CDP_BLIND_INDEX_KEY', 'CDP_BOOTSTRAP_ADMIN_TOKEN', 'CDP_MASTER_KEYS']);
    expect(error.issues.every((i) => /development (key|value)/.test(i.reason))).toBe(true);
  });

  it('accepts URL-safe base64 without padding', () => {
    const key = randomBytes(32);
    const settings = buildSecuritySettings({ ...unset, CDP_MASTER_KEYS: `k:${key.toString('base64url')}` }, 'test');
    expect(settings.masterKeys.keys.k!.equals(key)).toBe(true);
  });
});
