import { isIP } from 'node:net';

/**
 * ClickHouse holds no plaintext PII: what is kept of an event's traits, properties and context
 * passes through here first. The rule, in order:
 *
 * 1. Keys that name personal data are dropped at any depth (PERSONAL_KEYS, compared without case,
 *    `_`, `-` or spaces: `first_name`, `firstName` and `First Name` are one key). `address` keeps
 *    only its coarse parts (city, state/region/province, country); a string address is dropped.
 * 2. Where the object describes a person (traits, `context.traits`), `name` and `title` go too;
 *    elsewhere `name` is a product's, page's or library's and stays.
 * 3. In context, `device.id` goes (a device identifier), and `cdp.invalidIdentifiers` (the raw
 *    emails and phones ingestion could not clean) is dropped by rule 1.
 * 4. Any string equal to one of the event's identifier values (userId, anonymousId, the
 *    identifiers identity matched on, whatever their type) is dropped, wherever it appears;
 *    so are strings that are an IP address or an international phone number (+ and 7-15 digits).
 * 5. Inside longer strings (URLs, referrers, free text), email addresses (URL-encoded ones too),
 *    international phone numbers and the event's identifier values of 6 characters or more are
 *    replaced by `[redacted]`; keys that contain an email drop their entry.
 */
export type PayloadKind = 'traits' | 'properties' | 'context';

export const REDACTED = '[redacted]';

/** Normalized (lower case, letters and digits only) names of keys that hold personal data. */
export const PERSONAL_KEYS: ReadonlySet<string> = new Set([
  // contact
  'email', 'emails', 'emailaddress', 'mail', 'phone', 'phones', 'phonenumber', 'mobile', 'mobilephone', 'mobilenumber',
  'cellphone', 'tel', 'telephone', 'fax', 'whatsapp', 'wechat', 'qq',
  // names
  'firstname', 'lastname', 'fullname', 'middlename', 'surname', 'givenname', 'familyname', 'username', 'nickname',
  'realname', 'displayname', 'maidenname',
  // address and location
  'street', 'streetaddress', 'address1', 'address2', 'addressline1', 'addressline2', 'line1', 'line2', 'postalcode',
  'postcode', 'zip', 'zipcode', 'latitude', 'longitude', 'lat', 'lng', 'lon', 'coordinates', 'geo',
  // network
  'ip', 'ipaddress', 'ipv4', 'ipv6', 'clientip', 'remoteip', 'xforwardedfor',
  // dates that identify
  'birthday', 'birthdate', 'dateofbirth', 'dob',
  // documents, credentials, payment
  'ssn', 'nationalid', 'idnumber', 'idcard', 'idcardnumber', 'passport', 'passportnumber', 'taxid', 'driverslicense',
  'licensenumber', 'password', 'passwd', 'secret', 'token', 'creditcard', 'cardnumber', 'cvv', 'iban', 'bankaccount',
  // identifiers
  'userid', 'anonymousid', 'previousid', 'membercard', 'membercardnumber', 'memberid', 'customerid', 'openid', 'unionid',
  'wechatopenid', 'wechatunionid', 'advertisingid', 'idfa', 'idfv', 'gaid', 'adid', 'deviceid', 'pushtoken',
  'externalids', 'invalididentifiers',
]);

/** Keys that describe a person in traits (a product or page `name` is not a person's). */
const PERSON_KEYS: ReadonlySet<string> = new Set(['name', 'title']);
const COARSE_ADDRESS_KEYS: ReadonlySet<string> = new Set(['city', 'state', 'region', 'province', 'country', 'countrycode']);

const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const INTERNATIONAL_PHONE = /^\+[1-9]\d{6,14}$/;
const PHONE_IN_TEXT = /\+[1-9](?:[\s().-]?\d){6,14}/g;
/** Shorter identifier values (a user id "42") would redact unrelated text; they are dropped only when they are the whole value. */
const MIN_EMBEDDED_IDENTIFIER = 6;

export interface PiiScope {
  /** The event's identifier values, trimmed and lower-cased. */
  identifierValues: ReadonlySet<string>;
  /** Those long enough to be looked for inside longer text. */
  embeddedValues: readonly string[];
}

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The scope of one event: its envelope ids and the identifiers identity matched it on. */
export function piiScope(values: Iterable<string | null | undefined>): PiiScope {
  const identifierValues = new Set<string>();
  for (const value of values) {
    const normalized = value?.trim().toLowerCase();
    if (normalized) identifierValues.add(normalized);
  }
  return { identifierValues, embeddedValues: [...identifierValues].filter((v) => v.length >= MIN_EMBEDDED_IDENTIFIER) };
}

/**
 * A JSON payload with PII removed, as JSON. Text that is not a JSON object (the contract says it
 * is) becomes `{}` rather than being kept unread.
 */
export function scrubPayload(json: string, kind: PayloadKind, scope: PiiScope): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return '{}';
  }
  if (!isObject(parsed)) return '{}';
  return JSON.stringify(scrubObject(parsed, kind, scope));
}

export function scrubObject(object: Record<string, unknown>, kind: PayloadKind, scope: PiiScope): Record<string, unknown> {
  return scrubMembers(object, kind === 'traits' ? 'person' : kind === 'context' ? 'context' : 'plain', scope);
}

type Where = 'person' | 'context' | 'device' | 'address' | 'plain';

function scrubMembers(object: Record<string, unknown>, where: Where, scope: PiiScope): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const normalized = normalizeKey(key);
    if (PERSONAL_KEYS.has(normalized)) continue;
    if (where === 'person' && PERSON_KEYS.has(normalized)) continue;
    if (where === 'device' && normalized === 'id') continue;
    if (where === 'address' && !COARSE_ADDRESS_KEYS.has(normalized)) continue;
    if (containsEmail(key)) continue;
    const value = object[key];
    let inner: Where = where === 'context' || where === 'device' || where === 'address' ? 'plain' : where;
    if (normalized === 'address') {
      if (!isObject(value)) continue;
      inner = 'address';
    } else if (where === 'context' && normalized === 'traits') inner = 'person';
    else if (where === 'context' && normalized === 'device') inner = 'device';
    const kept = scrubValue(value, inner, scope);
    if (kept === undefined) continue;
    // A "__proto__" member parsed from JSON stays a member instead of becoming the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
    else out[key] = kept;
  }
  return out;
}

function scrubValue(value: unknown, where: Where, scope: PiiScope): unknown {
  if (typeof value === 'string') return scrubText(value, scope);
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const kept = scrubValue(item, where, scope);
      if (kept !== undefined) items.push(kept);
    }
    return items;
  }
  if (isObject(value)) return scrubMembers(value, where, scope);
  return value;
}

/** The text with PII removed, or undefined when the whole value is personal. */
export function scrubText(text: string, scope: PiiScope): string | undefined {
  const trimmed = text.trim();
  if (scope.identifierValues.size > 0 && scope.identifierValues.has(trimmed.toLowerCase())) return undefined;
  // Cheap tests first: most values are neither addresses nor phone numbers.
  if (trimmed.length <= 45 && (trimmed.includes('.') || trimmed.includes(':')) && isIP(trimmed) !== 0) return undefined;
  const plus = text.includes('+');
  if (plus && trimmed.startsWith('+') && INTERNATIONAL_PHONE.test(trimmed.replace(/[\s().-]/g, ''))) return undefined;
  let out = containsEmail(text) ? text.replace(EMAIL_IN_TEXT, REDACTED) : text;
  if (plus) out = out.replace(PHONE_IN_TEXT, REDACTED);
  if (scope.embeddedValues.length > 0 && out.length >= MIN_EMBEDDED_IDENTIFIER) {
    const lower = out.toLowerCase();
    if (scope.embeddedValues.some((value) => lower.includes(value))) {
      for (const value of scope.embeddedValues) out = replaceIgnoringCase(out, value, REDACTED);
    }
  }
  return out;
}

/** `text` with every occurrence of `needle` (lower case) replaced, matched without regard to case. */
function replaceIgnoringCase(text: string, needle: string, replacement: string): string {
  const lower = text.toLowerCase();
  // toLowerCase can change lengths outside ASCII; then positions in `lower` do not map back.
  if (lower.length !== text.length || !lower.includes(needle)) return text;
  let out = '';
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, from)) {
    out += text.slice(from, at) + replacement;
    from = at + needle.length;
  }
  return out + text.slice(from);
}

function containsEmail(text: string): boolean {
  if (!text.includes('@') && !text.includes('%40')) return false;
  EMAIL_IN_TEXT.lastIndex = 0;
  return EMAIL_IN_TEXT.test(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
