import { createHash } from 'node:crypto';
import { ACCESS_TOKEN_PATTERN, hashToken, newAccessToken, secretsEqual } from './token-secret';

describe('access token secrets', () => {
  it('are cdp_pat_ followed by 256 random bits in base64url', () => {
    const token = newAccessToken();
    expect(token).toMatch(ACCESS_TOKEN_PATTERN);
    expect(Buffer.from(token.slice('cdp_pat_'.length), 'base64url').length).toBe(32);
  });

  it('never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newAccessToken));
    expect(tokens.size).toBe(1000);
  });

  it('are stored as their SHA-256 in hex, which does not contain the token', () => {
    const token = newAccessToken();
    expect(hashToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).not.toContain(token.slice(8));
  });

  it('compare equal only when identical', () => {
    expect(secretsEqual('cdp-dev-admin-token', 'cdp-dev-admin-token')).toBe(true);
    expect(secretsEqual('cdp-dev-admin-token', 'cdp-dev-admin-tokeN')).toBe(false);
    expect(secretsEqual('short', 'cdp-dev-admin-token')).toBe(false);
  });
});
