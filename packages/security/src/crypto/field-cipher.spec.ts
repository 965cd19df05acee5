import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { decryptField, encryptField } from './field-cipher';
import { KeyRing } from './key-ring';

const ring = () => KeyRing.fromConfig({ activeKeyId: 'k1', keys: { k1: randomBytes(32) } });

describe('field encryption (AES-256-GCM under a data key)', () => {
  it('gives back any text it encrypted, for the same owner and field', () => {
    const { key } = ring().generateDataKey();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ minLength: 1 }), (plaintext, aad) => {
        expect(decryptField(key, encryptField(key, plaintext, aad), aad)).toBe(plaintext);
      }),
    );
  });

  it('writes version 1, a 12-byte IV and a 16-byte tag ahead of the ciphertext, with a fresh IV each time', () => {
    const { key } = ring().generateDataKey();
    const a = encryptField(key, 'ada@example.com', 'p-1/email');
    const b = encryptField(key, 'ada@example.com', 'p-1/email');
    expect(a[0]).toBe(1);
    expect(a.length).toBe(1 + 12 + 16 + Buffer.byteLength('ada@example.com'));
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it('never repeats an IV or a data key, across refills of the random pool they are drawn from', () => {
    const r = ring();
    const { key } = r.generateDataKey();
    const ivs = new Set(Array.from({ length: 5000 }, () => encryptField(key, 'x', 'p-1/x').subarray(1, 13).toString('hex')));
    const keys = new Set(Array.from({ length: 1000 }, () => r.generateDataKey().key.toString('hex')));
    expect([ivs.size, keys.size]).toEqual([5000, 1000]);
    expect([...keys].some((k) => /^0+$/.test(k))).toBe(false);
  });

  it('refuses a blob copied to another owner or another field', () => {
    const { key } = ring().generateDataKey();
    const blob = encryptField(key, 'ada@example.com', 'p-1/email');
    expect(() => decryptField(key, blob, 'p-2/email')).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
    expect(() => decryptField(key, blob, 'p-1/phone')).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
  });

  it('refuses a blob with any byte changed', () => {
    const { key } = ring().generateDataKey();
    const blob = encryptField(key, 'ada@example.com', 'p-1/email');
    for (let i = 1; i < blob.length; i++) {
      const tampered = Buffer.from(blob);
      tampered[i] ^= 0x01;
      expect(() => decryptField(key, tampered, 'p-1/email')).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
    }
  });

  it('refuses another data key, a truncated blob and an unknown layout version', () => {
    const keys = ring();
    const { key } = keys.generateDataKey();
    const blob = encryptField(key, 'ada@example.com', 'p-1/email');
    expect(() => decryptField(keys.generateDataKey().key, blob, 'p-1/email')).toThrow(expect.objectContaining({ code: 'DECRYPT_FAILED' }));
    expect(() => decryptField(key, blob.subarray(0, 20), 'p-1/email')).toThrow(expect.objectContaining({ code: 'CIPHERTEXT_INVALID' }));
    const v2 = Buffer.from(blob);
    v2[0] = 2;
    expect(() => decryptField(key, v2, 'p-1/email')).toThrow(expect.objectContaining({ code: 'CIPHERTEXT_INVALID' }));
  });

  it('refuses a data key that is not 32 bytes', () => {
    expect(() => encryptField(randomBytes(16), 'x', 'a')).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});
