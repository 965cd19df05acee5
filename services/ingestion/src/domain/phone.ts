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
  const key = `${defaultRegion ?? ''}|${text}`;
  let cleaning = recent.get(key);
  if (cleaning === undefined) {
    cleaning = parse(text, defaultRegion);
    if (recent.size >= RECENT_LIMIT) recent.clear();
    recent.set(key, cleaning);
  }
  return cleaning;
}

/**
 * Parsing and validating against the full metadata costs ~15 us, and the same customer's phone rides
 * on every event of a session (context.traits), so recent answers are remembered. The function is pure,
 * which makes the memo invisible; the bound keeps a flood of distinct numbers from growing memory.
 */
const RECENT_LIMIT = 10_000;
const recent = new Map<string, PhoneCleaning>();

function parse(text: string, defaultRegion: string | null): PhoneCleaning {
  const region = defaultRegion?.toUpperCase();
  const parsed = parsePhoneNumberFromString(
    text,
    region !== undefined && isSupportedCountry(region) ? { defaultCountry: region, extract: false } : { extract: false },
  );
  if (parsed === undefined || !parsed.isValid()) return { valid: false };
  return { valid: true, e164: parsed.number };
}
