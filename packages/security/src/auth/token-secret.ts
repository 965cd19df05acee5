import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Recognisable in logs, configs and secret scanners: a leaked token is easy to find and revoke. */
export const ACCESS_TOKEN_PREFIX = 'cdp_pat_';
/** The prefix, then 256 random bits in base64url (43 characters). */
export const ACCESS_TOKEN_PATTERN = /^cdp_pat_[A-Za-z0-9_-]{43}$/;

/** A new bearer token; only its hash is ever stored or published. */
export function newAccessToken(): string {
  return `${ACCESS_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 (hex). Tokens carry 256 random bits, so there is nothing to brute-force and no need for a slow KDF. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares secrets in time independent of where they differ (hashing first equalises the lengths). */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}
