import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { BlindIndex } from './blind-index';

describe('BlindIndex', () => {
  const key = randomBytes(32);

  it('is deterministic: the same type and value always give the same 64-hex-digit index', () => {
    const a = new BlindIndex(key);
    const b = new BlindIndex(Buffer.from(key));
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((t) => !t.includes('\u0000')), fc.string(), (type, value) => {
        const index = a.compute(type, value);
        expect(index).toMatch(/^[0-9a-f]{64}$/);
        expect(b.compute(type, value)).toBe(index);
      }),
    );
  });

  it('is HMAC-SHA256 over type, NUL, value: indexes stored today stay valid', () => {
    // Pinned: a change of construction would orphan every index already stored.
    expect(new BlindIndex(Buffer.alloc(32, 7)).compute('email', 'ada@example.com')).toBe('88d1a33fdfe037beb47fc3648e70db9875b7a6bc1af07c30c46ef7b183234c31');
  });

  it('keeps types apart: the same text as email and as member card gives different indexes', () => {
    const index = new BlindIndex(key);
    expect(index.compute('email', '12345')).not.toBe(index.compute('member_card', '12345'));
    // The separator keeps the boundary between type and value.
    expect(index.compute('ab', 'c')).not.toBe(index.compute('a', 'bc'));
  });

  it('keeps keys apart: another key gives unrelated indexes for the same identifier', () => {
    expect(new BlindIndex(key).compute('email', 'ada@example.com')).not.toBe(new BlindIndex(randomBytes(32)).compute('email', 'ada@example.com'));
  });

  it('does not normalise: callers lower-case emails before computing', () => {
    const index = new BlindIndex(key);
    expect(index.compute('email', 'Ada@Example.com')).not.toBe(index.compute('email', 'ada@example.com'));
  });

  it('refuses keys shorter than 32 bytes and types containing NUL', () => {
    expect(() => new BlindIndex(randomBytes(31))).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => new BlindIndex(key).compute('e\u0000mail', 'x')).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => new BlindIndex(key).compute('', 'x')).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
});
