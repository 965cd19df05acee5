import { createHmac } from 'node:crypto';
import { SecurityError } from '../security.error';

export const BLIND_INDEX_MIN_KEY_BYTES = 32;

/**
 * Keyed hash of an identifier for equality lookups without storing its plaintext:
 * HMAC-SHA256(key, type + "\u0000" + value), as 64 lower-case hex characters. Deterministic: the
 * same (type, value) always gives the same index, so the caller normalises the value first
 * (lower-case email, E.164 phone). The type is part of the input, so an email and a member card
 * with the same text never collide. Without the key the index cannot be reversed by guessing
 * likely values, which a plain hash of an email could.
 */
export class BlindIndex {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (!Buffer.isBuffer(key) || key.length < BLIND_INDEX_MIN_KEY_BYTES) {
      throw new SecurityError('KEY_INVALID', `blind index key must be at least ${BLIND_INDEX_MIN_KEY_BYTES} bytes, got ${Buffer.isBuffer(key) ? key.length : typeof key}`);
    }
    this.key = Buffer.from(key);
  }

  compute(type: string, value: string): string {
    // The separator keeps ("ab", "c") and ("a", "bc") apart; a type containing it would undo that.
    if (type.length === 0 || type.includes('\u0000')) {
      throw new SecurityError('KEY_INVALID', 'blind index type must be non-empty and free of NUL characters');
    }
    return createHmac('sha256', this.key).update(`${type}\u0000${value}`, 'utf8').digest('hex');
  }
}
