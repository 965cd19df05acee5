import { cleanEmail } from './email';
import { type JsonObject, own, setOwn } from './json';
import { cleanPhone } from './phone';

const EMAIL_KEYS = ['email'];
/** `mobile` is how Chinese member systems name the phone that identifies a customer. */
const PHONE_KEYS = ['phone', 'mobile'];
const NAME_KEYS = ['name', 'firstName', 'lastName', 'first_name', 'last_name'];

export interface ContactCleaning {
  cleaned: JsonObject;
  /** JSON path -> original value of each email or phone that could not be cleaned. */
  invalid: Record<string, unknown>;
}

/**
 * Cleans the contact fields identity resolution matches customers on. An email or phone that is not
 * valid is removed from its field, so it can never merge two customers over a typo or a shared "n/a",
 * and its original value is returned for the event's context instead of being lost. `cleaned` is a
 * new object whose nested values are the input's own: read them, never change them.
 */
export function cleanContactFields(
  object: JsonObject,
  path: string,
  options: { defaultPhoneRegion: string | null; names: boolean },
): ContactCleaning {
  // Only top-level keys are ever set or deleted here, so a copy of the top level keeps the caller's
  // payload intact; nested values (products, addresses) are shared, read-only, instead of deep-copied
  // for every event.
  const cleaned: JsonObject = {};
  for (const key of Object.keys(object)) setOwn(cleaned, key, object[key]);
  const invalid: Record<string, unknown> = {};
  for (const key of EMAIL_KEYS) {
    const value = own(cleaned, key);
    if (isBlank(value)) {
      if (value !== null) delete cleaned[key];
      continue;
    }
    const email = cleanEmail(value);
    if (email.valid) setOwn(cleaned, key, email.email);
    else {
      delete cleaned[key];
      setOwn(invalid, `${path}.${key}`, value);
    }
  }
  for (const key of PHONE_KEYS) {
    const value = own(cleaned, key);
    if (isBlank(value)) {
      if (value !== null) delete cleaned[key];
      continue;
    }
    const phone = cleanPhone(value, options.defaultPhoneRegion);
    if (phone.valid) setOwn(cleaned, key, phone.e164);
    else {
      delete cleaned[key];
      setOwn(invalid, `${path}.${key}`, value);
    }
  }
  if (options.names) {
    for (const key of NAME_KEYS) {
      const value = own(cleaned, key);
      if (typeof value !== 'string') continue;
      const trimmed = value.trim();
      if (trimmed === '') delete cleaned[key];
      else setOwn(cleaned, key, trimmed);
    }
  }
  return { cleaned, invalid };
}

/**
 * Absent, null or whitespace: nothing to flag as invalid. Blank strings are dropped (they identify no
 * one); null stays, because on an identify call it says "this trait is now unset".
 */
function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}
