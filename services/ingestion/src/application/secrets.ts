import { createHash, randomBytes } from 'node:crypto';

/**
 * A new write key: 256 random bits, URL-safe, never stored (only its hash is). Never starts with '-':
 * command-line tools (the `cdp import` CLI among them) would read such a key as an option.
 */
export function newWriteKey(): string {
  for (;;) {
    const key = randomBytes(32).toString('base64url');
    if (!key.startsWith('-')) return key;
  }
}

/** SHA-256 (hex). Enough for high-entropy secrets: there is nothing to brute-force, so no slow KDF. */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * The write key of a Segment request: the user name of HTTP Basic auth (Segment's libraries send
 * `writeKey:`), the password when the user name is empty, else `writeKey` in the JSON body.
 */
export function writeKeyOf(authorization: string | undefined, body: unknown): string | undefined {
  const basic = authorization?.match(/^\s*Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const password = colon < 0 ? '' : decoded.slice(colon + 1);
    if (user || password) return user || password;
  }
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const { writeKey } = body as { writeKey?: unknown };
    if (typeof writeKey === 'string' && writeKey) return writeKey;
  }
  return undefined;
}
