import { newWriteKey, sha256Hex } from './secrets';

describe('write keys', () => {
  it('are 256-bit URL-safe strings that a command line never mistakes for an option', () => {
    const keys = Array.from({ length: 2_000 }, () => newWriteKey());
    for (const key of keys) {
      expect(key).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/);
    }
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('are stored as their SHA-256, never as themselves', () => {
    const key = newWriteKey();
    expect(sha256Hex(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(sha256Hex(key)).not.toContain(key);
  });
});
