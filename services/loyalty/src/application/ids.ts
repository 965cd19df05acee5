import { randomBytes, randomUUID } from 'node:crypto';

/** Crockford's base32 without I, L, O, U: codes people read aloud and type. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const newEventId = (): string => randomUUID();

/** 10 characters, 50 random bits: unguessable referral and coupon codes. */
export function newCode(): string {
  const bytes = randomBytes(10);
  let code = '';
  for (const byte of bytes) code += ALPHABET[byte & 31];
  return code;
}
