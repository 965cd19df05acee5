import { randomBytes } from 'node:crypto';
import { decryptField, encryptField } from './field-cipher';
import { KeyRing } from './key-ring';

describe('KeyRing (envelope encryption of data keys)', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('unwraps the data key it generated, wrapped under the active master key', () => {
    const ring = KeyRing.fromConfig({ activeKeyId: 'k1', keys: { k1 } });
    const { key, wrapped } = ring.generateDataKey();
    expect(key.length).toBe(32);
    expect(wrapped.keyId).toBe('k1');
    expect(wrapped.blob.includes(key)).toBe(false);
    expect(ring.unwrap(wrapped).equals(key)).toBe(true);
  });

  it('refuses to unwrap with a different master key under the same id', () => {
    const { wrapped } = KeyRing.fromConfig({ activeKeyId: 'k1', keys: { k1 } }).generateDataKey();
    const impostor = KeyRing.fromConfig({ activeKeyId: 'k1', keys: { k1: randomBytes(32) } });
    expect(() => impostor.unwrap(wrapped)).toThrow(expect.objectContaining({ code: 'KEY_UNWRAP_FAILED' }));
  });

  it('refuses a master key id the ring does not hold, naming it', () => {
    const { wrapped } = KeyRing.fromConfig({ activeKeyId: 'k1', keys: { k1 } }).generateDataKey();
    const other = KeyRing.fromConfig({ activeKeyId: 'k2', keys: { k2 } });
    expect(() => other.unwrap(wrapped)).toThrow(expect.objectContaining({ code: 'MASTER_KEY_UNKNOWN', message: expect.stringContaining('"k1"') }));
  });

  it('refuses a wrapped key relabelled with another key id of the ring', () => {
    const ring = KeyRing.fromConfig({ activeKeyId: 'k1', keys: { k1, k2: k1 } });
    const { wrapped } = ring.generateDataKey();
    expect(() => ring.unwrap({ ...wrapped, keyId: 'k2' })).toThrow(expect.objectContaining({ code: 'KEY_UNWRAP_FAILED' }));
  });

  it('rewraps to the active master key; data encrypted before stays readable with the new ring', () => {
    const before = KeyRing.fromConfig({ activeKeyId: 'k1', keys: { k1 } });
    const { key, wrapped } = before.generateDataKey();
    const blob = encryptField(key, '+8613800138000', 'p-1/phone');

    const after = KeyRing.fromConfig({ activeKeyId: 'k2', keys: { k1, k2 } });
    const rewrapped = after.rewrap(wrapped);
    expect(rewrapped.keyId).toBe('k2');
    const onlyNew = KeyRing.fromConfig({ activeKeyId: 'k2', keys: { k2 } });
    expect(decryptField(onlyNew.unwrap(rewrapped), blob, 'p-1/phone')).toBe('+8613800138000');
    expect(() => onlyNew.unwrap(wrapped)).toThrow(expect.objectContaining({ code: 'MASTER_KEY_UNKNOWN' }));
  });

  it('refuses master keys that are not 32 bytes, bad key ids and an active id it does not hold', () => {
    expect(() => KeyRing.fromConfig({ activeKeyId: 'k1', keys: { k1: randomBytes(16) } })).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => KeyRing.fromConfig({ activeKeyId: 'a:b', keys: { 'a:b': k1 } })).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => KeyRing.fromConfig({ activeKeyId: 'k3', keys: { k1, k2 } })).toThrow(expect.objectContaining({ code: 'KEY_INVALID', message: expect.stringContaining('k3') }));
  });

  it('is not affected when the caller later overwrites the key buffers it passed in', () => {
    const master = Buffer.from(k1);
    const ring = KeyRing.fromConfig({ activeKeyId: 'k1', keys: { k1: master } });
    const { key, wrapped } = ring.generateDataKey();
    master.fill(0);
    expect(ring.unwrap(wrapped).equals(key)).toBe(true);
  });
});
