import { type PiiScope, scrubText } from './pii-scrubber';

/** The descriptive attributes the reports break customers down by. */
export const PROFILE_ATTRIBUTES = ['age_band', 'gender', 'country', 'region', 'city', 'channel'] as const;
export type ProfileAttributeName = (typeof PROFILE_ATTRIBUTES)[number];

/** One attribute set by an event; `value` '' means the event unset it (a null trait). */
export interface ProfileAttribute {
  attribute: ProfileAttributeName;
  value: string;
}

export const AGE_BANDS = ['0-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export interface AttributeSource {
  type: string;
  /** The event's traits (identify calls), raw: read here before anything personal is dropped. */
  traits: Record<string, unknown>;
  /** `context.traits`, which any call may carry; identify traits win over them. */
  contextTraits: Record<string, unknown>;
  channel: string | null;
  /** Event time (epoch ms): the age band is the customer's age then. */
  occurredAt: number;
}

const MAX_VALUE_LENGTH = 100;
const FEMALE = new Set(['f', 'female', 'woman', 'w', 'femme', 'weiblich', '女', '女性']);
const MALE = new Set(['m', 'male', 'man', 'homme', 'männlich', '男', '男性']);
const UNKNOWN_GENDER = new Set(['', 'u', 'unknown', 'n/a', 'na', 'none', 'unspecified', '未知']);

/**
 * The attributes an event sets. Only the age band leaves the birthday or age behind; locations
 * keep their coarse parts (country, region, city), never a street or postal code. A trait present
 * with null unsets its attribute; an absent trait says nothing.
 */
export function profileAttributes(source: AttributeSource, scope: PiiScope): ProfileAttribute[] {
  const found = new Map<ProfileAttributeName, string>();
  // Context traits first, so that identify traits overwrite them.
  for (const traits of source.type === 'identify' ? [source.contextTraits, source.traits] : [source.contextTraits]) {
    const address = isObject(traits.address) ? traits.address : {};
    const set = (attribute: ProfileAttributeName, value: string | null | undefined) => {
      if (value !== undefined) found.set(attribute, value ?? '');
    };
    set('age_band', ageBandTrait(traits, source.occurredAt));
    set('gender', genderTrait(traits));
    set('country', place(first(address, ['country', 'countryCode']) ?? first(traits, ['country', 'countryCode']), scope));
    set('region', place(first(address, ['state', 'region', 'province']) ?? first(traits, ['state', 'region', 'province']), scope));
    set('city', place(first(address, ['city']) ?? first(traits, ['city']), scope));
  }
  if (source.type === 'identify' && source.channel) found.set('channel', source.channel);
  return [...found].map(([attribute, value]) => ({ attribute, value }));
}

/** The band of an age in whole years; null outside 0..130. */
export function ageBandOf(age: number): AgeBand | null {
  if (!Number.isFinite(age) || age < 0 || age > 130) return null;
  if (age < 18) return '0-17';
  if (age < 25) return '18-24';
  if (age < 35) return '25-34';
  if (age < 45) return '35-44';
  if (age < 55) return '45-54';
  if (age < 65) return '55-64';
  return '65+';
}

/** Whole years between a birth date (YYYY-MM-DD, or an ISO timestamp) and `at` (epoch ms), in UTC. */
export function ageAt(birthday: string, at: number): number | null {
  const match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})/.exec(birthday.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const now = new Date(at);
  const hadBirthday = now.getUTCMonth() + 1 > month || (now.getUTCMonth() + 1 === month && now.getUTCDate() >= day);
  const age = now.getUTCFullYear() - year - (hadBirthday ? 0 : 1);
  return age >= 0 ? age : null;
}

function ageBandTrait(traits: Record<string, unknown>, at: number): string | null | undefined {
  for (const key of ['birthday', 'birthdate', 'birthDate', 'dateOfBirth', 'date_of_birth', 'dob']) {
    if (!(key in traits)) continue;
    const value = traits[key];
    if (value === null) return null;
    const age = typeof value === 'string' ? ageAt(value, at) : null;
    if (age !== null) return ageBandOf(age) ?? undefined;
  }
  if ('age' in traits) {
    const value = traits.age;
    if (value === null) return null;
    const age = typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,3}$/.test(value.trim()) ? Number(value) : NaN;
    return ageBandOf(Math.floor(age)) ?? undefined;
  }
  return undefined;
}

function genderTrait(traits: Record<string, unknown>): string | null | undefined {
  for (const key of ['gender', 'sex']) {
    if (!(key in traits)) continue;
    const value = traits[key];
    if (value === null) return null;
    if (typeof value !== 'string') return undefined;
    const normalized = value.trim().toLowerCase();
    if (FEMALE.has(normalized)) return 'female';
    if (MALE.has(normalized)) return 'male';
    return UNKNOWN_GENDER.has(normalized) ? null : 'other';
  }
  return undefined;
}

function first(object: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const key of keys) if (key in object) return object[key];
  return undefined;
}

function place(value: unknown, scope: PiiScope): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim().slice(0, MAX_VALUE_LENGTH);
  // A city field that holds an email or an identifier is not a place.
  return scrubText(trimmed, scope) === trimmed ? trimmed : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
