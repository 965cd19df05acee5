/**
 * Deliberately simpler than RFC 5322: one `@`, no whitespace, a dotted domain whose TLD has 2+ characters and is not all digits.
 * It must reject what forms let through ("n/a", "foo@", "foo@bar") without bouncing real addresses.
 */
const EMAIL = /^[^\s@]+@(?:[^\s@.]+\.)+(?!\d+$)[^\s@.]{2,}$/u;
const MAX_EMAIL_LENGTH = 254;

export type EmailCleaning = { valid: true; email: string } | { valid: false };

/** Trimmed and lower-cased: the same mailbox always yields the same identifier. */
export function cleanEmail(value: unknown): EmailCleaning {
  if (typeof value !== 'string') return { valid: false };
  const email = value.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) return { valid: false };
  return { valid: true, email };
}
