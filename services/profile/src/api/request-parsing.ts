import { ProfileError } from '../application/profile.error';

/** `limit` query parameter: an integer from 1 to `max`, `fallback` when absent. */
export function parseLimit(raw: string | undefined, fallback = 50, max = 200): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) throw ProfileError.invalid('limit', `expected an integer from 1 to ${max}`);
  return n;
}

const LOOKUP_PARAMS: ReadonlyArray<readonly [param: string, type: string]> = [
  ['email', 'email'],
  ['phone', 'phone'],
  ['userId', 'user_id'],
  ['anonymousId', 'anonymous_id'],
  ['memberCard', 'member_card'],
];

/** The identifier a lookup names: `?email=`, `?phone=`, `?userId=`, `?anonymousId=`, `?memberCard=`, or `?type=&value=`. Exactly one. */
export function parseLookup(query: Record<string, unknown>): { type: string; value: string } {
  const given: Array<{ type: string; value: unknown }> = LOOKUP_PARAMS.filter(([param]) => query[param] !== undefined).map(([param, type]) => ({ type, value: query[param] }));
  if (query.type !== undefined || query.value !== undefined) given.push({ type: String(query.type ?? ''), value: query.value });
  if (given.length !== 1) throw ProfileError.invalid('query', `expected exactly one of ${LOOKUP_PARAMS.map(([p]) => p).join(', ')} or type and value`);
  const [{ type, value }] = given;
  if (typeof value !== 'string' || value === '') throw ProfileError.invalid(type, 'expected a value');
  return { type, value };
}

/** Query parameters passed on to another service (the timeline's own filters and cursor). */
export function passThrough(query: Record<string, unknown>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) if (typeof query[name] === 'string') out[name] = query[name] as string;
  return out;
}
