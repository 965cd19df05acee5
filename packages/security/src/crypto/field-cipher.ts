import { SecurityError } from '../security.error';
import { open, seal } from './aes-gcm';

/**
 * Encrypts one field value with a subject's data key. `aad` names the owner and the field (e.g.
 * `profileId/email`): it is authenticated, not stored, so a blob copied to another row or column
 * no longer decrypts. Layout: version byte (1), 12-byte random IV, 16-byte GCM tag, ciphertext.
 */
export function encryptField(dataKey: Buffer, plaintext: string, aad: string): Buffer {
  return seal(dataKey, Buffer.from(plaintext, 'utf8'), Buffer.from(aad, 'utf8'));
}

/** Decrypts a blob of `encryptField`; `DECRYPT_FAILED` when the key or AAD differ or a byte was changed. */
export function decryptField(dataKey: Buffer, blob: Buffer, aad: string): string {
  const plaintext = open(dataKey, blob, Buffer.from(aad, 'utf8'), () =>
    new SecurityError('DECRYPT_FAILED', `the ciphertext for "${aad}" does not open with this data key (wrong key, wrong owner/field, or altered bytes)`),
  );
  return plaintext.toString('utf8');
}
