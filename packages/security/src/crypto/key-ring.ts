import { SecurityError } from '../security.error';
import { assertKey, KEY_BYTES, open, randomBytesPooled, seal } from './aes-gcm';

/** A data key encrypted ("wrapped") under the master key `keyId`. */
export interface WrappedKey {
  keyId: string;
  blob: Buffer;
}

export interface KeyRingConfig {
  /** Master key new data keys are wrapped with (and rotation rewraps to). */
  activeKeyId: string;
  /** Every master key still needed to unwrap existing data keys, by id. 32 bytes each. */
  keys: Readonly<Record<string, Buffer>>;
}

/** Key ids appear in `CDP_MASTER_KEYS` (`kid:base64,...`) and in every data_keys row. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The master keys of a process. Data keys are wrapped with AES-256-GCM under the active master
 * key; the wrapped blob authenticates the key id it claims, so a blob relabelled with another id
 * does not unwrap. Reads accept any id the ring holds, which is what lets a rotation run while
 * the service keeps serving.
 */
export class KeyRing {
  private constructor(
    readonly activeKeyId: string,
    private readonly keys: ReadonlyMap<string, Buffer>,
  ) {}

  static fromConfig(config: KeyRingConfig): KeyRing {
    const keys = new Map<string, Buffer>();
    for (const [keyId, key] of Object.entries(config.keys)) {
      if (!KEY_ID_PATTERN.test(keyId)) throw new SecurityError('KEY_INVALID', `master key id "${keyId}" must match ${KEY_ID_PATTERN}`);
      assertKey(key, `master key "${keyId}"`);
      keys.set(keyId, Buffer.from(key));
    }
    if (!keys.has(config.activeKeyId)) {
      throw new SecurityError('KEY_INVALID', `active master key "${config.activeKeyId}" is not among the keys (${[...keys.keys()].join(', ') || 'none'})`);
    }
    return new KeyRing(config.activeKeyId, keys);
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  has(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** A fresh random 256-bit data key, and the same key wrapped under the active master key. */
  generateDataKey(): { key: Buffer; wrapped: WrappedKey } {
    const key = randomBytesPooled(KEY_BYTES);
    return { key, wrapped: this.wrap(key) };
  }

  wrap(dataKey: Buffer): WrappedKey {
    assertKey(dataKey, 'data key');
    const keyId = this.activeKeyId;
    return { keyId, blob: seal(this.masterKey(keyId), dataKey, wrapAad(keyId)) };
  }

  /** The plaintext data key; `MASTER_KEY_UNKNOWN` when the ring lacks its master key, `KEY_UNWRAP_FAILED` when that key is not the one it was wrapped with. */
  unwrap(wrapped: WrappedKey): Buffer {
    const key = open(this.masterKey(wrapped.keyId), wrapped.blob, wrapAad(wrapped.keyId), () =>
      new SecurityError('KEY_UNWRAP_FAILED', `the data key does not unwrap with master key "${wrapped.keyId}" (a different key under the same id, or altered bytes)`),
    );
    assertKey(key, 'unwrapped data key');
    return key;
  }

  /** The same data key wrapped under the active master key (a new blob even when it already was). */
  rewrap(wrapped: WrappedKey): WrappedKey {
    return this.wrap(this.unwrap(wrapped));
  }

  private masterKey(keyId: string): Buffer {
    const key = this.keys.get(keyId);
    if (!key) throw new SecurityError('MASTER_KEY_UNKNOWN', `master key "${keyId}" is not in the key ring (it holds ${this.keyIds.join(', ')})`);
    return key;
  }
}

function wrapAad(keyId: string): Buffer {
  return Buffer.from(`cdp.data-key/${keyId}`, 'utf8');
}
