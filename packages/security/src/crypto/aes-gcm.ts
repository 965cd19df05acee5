import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto';
import { SecurityError } from '../security.error';

/** Layout version of every blob this package writes: [version 1][IV 12][tag 16][ciphertext]. */
export const BLOB_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
export const KEY_BYTES = 32;

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

/**
 * Fresh bytes from the CSPRNG, drawn from a pool filled a page at a time: each call for 12 or 32
 * bytes costs a native call otherwise, as much as the encryption itself. Every byte is handed out
 * once: copied out, zeroed in the pool (data keys come from here too), and the offset moves past it.
 */
export function randomBytesPooled(size: number): Buffer {
  if (size > POOL_BYTES) return randomFillSync(Buffer.allocUnsafe(size));
  if (poolOffset + size > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = Buffer.allocUnsafe(size);
  pool.copy(out, 0, poolOffset, poolOffset + size);
  pool.fill(0, poolOffset, poolOffset + size);
  poolOffset += size;
  return out;
}

/**
 * AES-256-GCM with a fresh random 96-bit IV per message. The version byte is authenticated with
 * the caller's AAD, so a blob cannot be relabelled as another layout version.
 */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  assertKey(key);
  const iv = randomBytesPooled(IV_BYTES);
  const version = Buffer.of(BLOB_VERSION);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.concat([version, aad]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([version, iv, cipher.getAuthTag(), ciphertext]);
}

/** Opens a blob sealed by `seal`; throws `failure` (a coded error) when the key, AAD or bytes do not match. */
export function open(key: Buffer, blob: Buffer, aad: Buffer, failure: () => SecurityError): Buffer {
  assertKey(key);
  if (!Buffer.isBuffer(blob) || blob.length < HEADER_BYTES) {
    throw new SecurityError('CIPHERTEXT_INVALID', `ciphertext is ${Buffer.isBuffer(blob) ? `${blob.length} bytes` : 'not a Buffer'}, shorter than its ${HEADER_BYTES}-byte header`);
  }
  if (blob[0] !== BLOB_VERSION) throw new SecurityError('CIPHERTEXT_INVALID', `unknown ciphertext layout version ${blob[0]}`);
  const iv = blob.subarray(1, 1 + IV_BYTES);
  const tag = blob.subarray(1 + IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.concat([blob.subarray(0, 1), aad]));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES)), decipher.final()]);
  } catch {
    throw failure();
  }
}

export function assertKey(key: Buffer, what = 'key'): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new SecurityError('KEY_INVALID', `${what} must be a ${KEY_BYTES}-byte Buffer, got ${Buffer.isBuffer(key) ? `${key.length} bytes` : typeof key}`);
  }
}
