import type { IngestedEvent } from '@cdp/contracts';
import { type BlockReason, type CompiledRules, IDENTIFIER_TYPE_PATTERN, MAX_IDENTIFIER_LENGTH } from './identity-rules';

/** An identifier of an event, normalised, not yet checked against the graph. */
export interface CandidateIdentifier {
  readonly type: string;
  readonly value: string;
  /**
   * Other types the value may have, tried in order before `type`: an alias call's previousId is the
   * user_id it was identified with before, if the graph knows one, else an anonymous_id.
   */
  readonly alternatives?: readonly string[];
}

export type SkipReason = BlockReason | 'invalid_value' | 'unknown_type';

export interface SkippedIdentifier {
  readonly type: string;
  /** Where in the event the value was found, e.g. `context.traits.email`. */
  readonly path: string;
  readonly reason: SkipReason;
}

export interface ExtractedIdentifiers {
  readonly identifiers: CandidateIdentifier[];
  /** Values that will not link anyone, with the reason (recorded, never silently lost). */
  readonly skipped: SkippedIdentifier[];
}

/** Trait keys (in `traits` and `context.traits`) holding an identifier, per type. */
const TRAIT_KEYS: ReadonlyArray<readonly [type: string, keys: readonly string[]]> = [
  ['email', ['email']],
  // `mobile` is how Chinese member systems name the phone that identifies a customer.
  ['phone', ['phone', 'mobile']],
  ['member_card', ['memberCard', 'member_card', 'memberCardNumber']],
  ['wechat_unionid', ['wechatUnionId', 'wechat_unionid', 'unionid']],
  ['wechat_openid', ['wechatOpenId', 'wechat_openid', 'openid']],
];

/**
 * The identifiers an ingested event carries, normalised and filtered by the rules:
 * - `userId` -> user_id, `anonymousId` -> anonymous_id; an alias call's `previousId` -> the user_id or
 *   anonymous_id the graph knows it as;
 * - `traits` and `context.traits`: email, phone/mobile, member card, WeChat union/open ids;
 * - `context.externalIds` (`[{ id, type }]`, Segment's spec): any type, custom ones included.
 * Emails are lower-cased; phones must be E.164 (ingestion normalises them with the source's region);
 * other values are trimmed and keep their case. Blocked, invalid and unknown-type values are returned
 * in `skipped` with the path they came from.
 */
export function extractIdentifiers(event: IngestedEvent, rules: CompiledRules): ExtractedIdentifiers {
  const found: Array<{ type: string; raw: unknown; path: string; alternatives?: string[] }> = [];
  if (event.userId !== null) found.push({ type: 'user_id', raw: event.userId, path: 'userId' });
  if (event.anonymousId !== null) found.push({ type: 'anonymous_id', raw: event.anonymousId, path: 'anonymousId' });
  if (event.type === 'alias' && event.previousId !== null) {
    found.push({ type: 'anonymous_id', raw: event.previousId, path: 'previousId', alternatives: ['user_id'] });
  }
  const skipped: SkippedIdentifier[] = [];
  const traits = parseObject(event.traits, 'traits', skipped);
  const context = parseObject(event.context, 'context', skipped);
  const contextTraits = asObject(context?.traits);
  for (const [source, prefix] of [
    [traits, 'traits'],
    [contextTraits, 'context.traits'],
  ] as const) {
    if (!source) continue;
    for (const [type, keys] of TRAIT_KEYS) {
      for (const key of keys) {
        if (Object.prototype.hasOwnProperty.call(source, key)) found.push({ type, raw: source[key], path: `${prefix}.${key}` });
      }
    }
  }
  const externalIds = context?.externalIds;
  if (Array.isArray(externalIds)) {
    externalIds.forEach((entry, i) => {
      const item = asObject(entry);
      if (!item) return;
      const type = typeof item.type === 'string' ? normaliseTypeName(item.type) : null;
      const path = `context.externalIds[${i}]`;
      if (type === null) return;
      found.push({ type, raw: item.id, path });
    });
  }

  const identifiers: CandidateIdentifier[] = [];
  const seen = new Set<string>();
  for (const { type, raw, path, alternatives } of found) {
    if (raw === null || raw === undefined) continue;
    const rule = rules.ruleOf(type);
    if (!rule) {
      skipped.push({ type, path, reason: 'unknown_type' });
      continue;
    }
    const value = normaliseValue(type, raw);
    if (value === null) {
      skipped.push({ type, path, reason: 'invalid_value' });
      continue;
    }
    const blocked = rules.blockReason(type, value);
    if (blocked) {
      skipped.push({ type, path, reason: blocked });
      continue;
    }
    const key = `${type}\u0000${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    identifiers.push(alternatives ? { type, value, alternatives } : { type, value });
  }
  return { identifiers, skipped };
}

/** `WeChat-OpenID` -> `wechat_openid`; null when nothing of it can be a type name. */
export function normaliseTypeName(raw: string): string | null {
  const name = raw
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return IDENTIFIER_TYPE_PATTERN.test(name) ? name : null;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/** The matching form of a value, or null when it cannot identify anyone. */
export function normaliseValue(type: string, raw: unknown): string | null {
  let value: string;
  if (typeof raw === 'string') value = raw.trim();
  else if (typeof raw === 'number' && Number.isFinite(raw)) value = String(raw);
  else return null;
  if (value === '' || value.length > MAX_IDENTIFIER_LENGTH) return null;
  switch (type) {
    case 'email':
      value = value.toLowerCase();
      return /^[^\s@]+@[^\s@]+$/.test(value) ? value : null;
    case 'phone': {
      const compact = value.replace(/[\s().-]/g, '');
      return E164.test(compact) ? compact : null;
    }
    default:
      return value;
  }
}

/** A JSON object field of the event; one that is not valid JSON is reported, as it may have held identifiers. */
function parseObject(json: string, path: string, skipped: SkippedIdentifier[]): Record<string, unknown> | undefined {
  if (json === '{}' || json === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    skipped.push({ type: '*', path, reason: 'invalid_value' });
    return undefined;
  }
  return asObject(parsed);
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
