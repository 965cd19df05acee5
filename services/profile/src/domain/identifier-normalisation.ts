/**
 * The form identity matches identifiers in (lower-case email, E.164 phone, other values trimmed), so a
 * lookup finds the blind index identity's events were recorded under. Null when the value cannot be
 * an identifier of that type.
 */
export function normaliseIdentifier(type: string, raw: string): string | null {
  const value = raw.trim();
  if (value === '' || value.length > 512) return null;
  switch (type) {
    case 'email': {
      const email = value.toLowerCase();
      return /^[^\s@]+@[^\s@]+$/.test(email) ? email : null;
    }
    case 'phone': {
      const compact = value.replace(/[\s().-]/g, '');
      return /^\+[1-9]\d{6,14}$/.test(compact) ? compact : null;
    }
    default:
      return value;
  }
}

/** Identifier types are lower-case names (`user_id`, `member_card`, custom ones). */
export const IDENTIFIER_TYPE = /^[a-z][a-z0-9_]{0,63}$/;
