import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

export type PhoneCleaning = { valid: true; e164: string } | { valid: false };

/**
 * A phone number in E.164. Numbers without a `+country` prefix are read in the source's default region
 * (a Shanghai store's POS sends "138 0013 8000"); without a region they cannot be placed and count as
 * invalid. The full metadata set is used so that numbers are validated against each region's number
 * plan, not just their length.
 */
export function cleanPhone(value: unknown, defaultRegion: string | null): PhoneCleaning {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) text = String(value);
  else return { valid: false };
  if (text === '') return { valid: false };
  const region = defaultRegion?.toUpperCase();
  const parsed = parsePhoneNumberFromString(
    text,
    region !== undefined && isSupportedCountry(region) ? { defaultCountry: region, extract: false } : { extract: false },
  );
  if (parsed === undefined || !parsed.isValid()) return { valid: false };
  return { valid: true, e164: parsed.number };
}
