/**
 * Identity rules: which identifier types link customers, how many of each a profile may hold, which
 * wins when a limit would break, and which values never link anyone. Rules are configuration (an
 * admin API edits them, every change audited); this module validates a rules document and compiles it
 * for the resolver.
 */

/** A rule for one identifier type. */
export interface IdentifierTypeRule {
  /** Most identifiers of this type one profile may hold (a person has one login, a few emails). */
  readonly limit: number;
  /**
   * Higher is stronger. When linking an event would break a limit, the event's identifier with the
   * lowest priority is dropped and matching retried, so weak evidence (a cookie) gives way to strong
   * (a login).
   */
  readonly priority: number;
  /** Values (compared case-insensitively) that never link, e.g. a shop's own test account. */
  readonly blockedValues: readonly string[];
  /** Regular expressions (case-insensitive) for values that never link, e.g. `@example\.com$`. */
  readonly blockedPatterns: readonly string[];
}

/** The whole rules document, as stored and as the admin API shows it. */
export interface IdentityRulesDocument {
  /** Built-in and configured custom types. */
  readonly types: Readonly<Record<string, IdentifierTypeRule>>;
  /** Values and patterns blocked for every type. */
  readonly blockedValues: readonly string[];
  readonly blockedPatterns: readonly string[];
  /**
   * Custom types from `context.externalIds` that have no rule of their own: linked with these
   * settings when `accept`, ignored otherwise.
   */
  readonly customTypes: { readonly accept: boolean; readonly limit: number; readonly priority: number };
  /** Caps against runaway merges (a shared email or a cashier's card joining thousands of people). */
  readonly caps: { readonly maxMergesPerProfile: number; readonly maxIdentifiersPerProfile: number };
}

export const BUILT_IN_TYPES = ['user_id', 'email', 'phone', 'member_card', 'wechat_unionid', 'wechat_openid', 'anonymous_id'] as const;
export type BuiltInType = (typeof BUILT_IN_TYPES)[number];

/** Identifier type names: lower-case letters, digits and underscores, as they appear in the API's paths. */
export const IDENTIFIER_TYPE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
export const MAX_BLOCKED_ENTRIES = 1000;
export const MAX_PATTERN_LENGTH = 200;
export const MAX_IDENTIFIER_LENGTH = 256;

/**
 * The defaults: one user_id per profile, five of anything else; priorities in the order user_id,
 * email, phone, member_card, wechat_unionid, wechat_openid, custom types, anonymous_id; placeholder
 * values that clients send when they have no id, all-zero/dash values, and obvious test addresses.
 */
export const DEFAULT_RULES: IdentityRulesDocument = {
  types: {
    user_id: { limit: 1, priority: 100, blockedValues: [], blockedPatterns: [] },
    email: {
      limit: 5,
      priority: 90,
      blockedValues: [],
      blockedPatterns: ['^test@', '@example\\.(com|net|org)$', '^(no-?reply|donotreply)@'],
    },
    phone: { limit: 5, priority: 80, blockedValues: [], blockedPatterns: ['^\\+?(\\d)\\1+$'] },
    member_card: { limit: 5, priority: 70, blockedValues: [], blockedPatterns: [] },
    wechat_unionid: { limit: 5, priority: 60, blockedValues: [], blockedPatterns: [] },
    wechat_openid: { limit: 5, priority: 50, blockedValues: [], blockedPatterns: [] },
    anonymous_id: { limit: 5, priority: 10, blockedValues: [], blockedPatterns: [] },
  },
  blockedValues: ['null', 'undefined', 'anonymous', '0', '-1', '', 'none', 'nil', 'n/a', 'unknown'],
  blockedPatterns: ['^[0-]*$'],
  customTypes: { accept: true, limit: 5, priority: 40 },
  caps: { maxMergesPerProfile: 100, maxIdentifiersPerProfile: 1000 },
};

/** A rule problem, naming the path of the faulty part of the document (`types.email.limit`). */
export interface RuleViolation {
  readonly path: string;
  readonly message: string;
}

export type RulesValidation = { ok: true; rules: IdentityRulesDocument } | { ok: false; violations: RuleViolation[] };

/**
 * Checks a rules document from the admin API or the database; returns it normalised (blocked values
 * lower-cased and trimmed, duplicates removed) or every violation found.
 */
export function validateRules(input: unknown): RulesValidation {
  const violations: RuleViolation[] = [];
  const doc = asObject(input, '', violations);
  if (!doc) return { ok: false, violations };

  const types: Record<string, IdentifierTypeRule> = {};
  const rawTypes = asObject(doc.types, 'types', violations);
  if (rawTypes) {
    for (const [type, raw] of Object.entries(rawTypes)) {
      const path = `types.${type}`;
      if (!IDENTIFIER_TYPE_PATTERN.test(type)) {
        violations.push({ path, message: 'a type name is lower-case letters, digits and underscores, starting with a letter (at most 64)' });
        continue;
      }
      const rule = asObject(raw, path, violations);
      if (!rule) continue;
      const limit = integer(rule.limit, `${path}.limit`, 1, 10_000, violations);
      const priority = integer(rule.priority, `${path}.priority`, 0, 1_000_000, violations);
      const blockedValues = valueList(rule.blockedValues ?? [], `${path}.blockedValues`, violations);
      const blockedPatterns = patternList(rule.blockedPatterns ?? [], `${path}.blockedPatterns`, violations);
      if (limit !== undefined && priority !== undefined && blockedValues && blockedPatterns) {
        types[type] = { limit, priority, blockedValues, blockedPatterns };
      }
    }
    for (const type of ['user_id', 'anonymous_id'] as const) {
      if (!(type in rawTypes)) violations.push({ path: `types.${type}`, message: `the ${type} type cannot be removed: every event carries one` });
    }
  }
  const blockedValues = valueList(doc.blockedValues ?? [], 'blockedValues', violations);
  const blockedPatterns = patternList(doc.blockedPatterns ?? [], 'blockedPatterns', violations);

  const custom = asObject(doc.customTypes, 'customTypes', violations);
  let customTypes: IdentityRulesDocument['customTypes'] | undefined;
  if (custom) {
    if (typeof custom.accept !== 'boolean') violations.push({ path: 'customTypes.accept', message: 'must be true or false' });
    const limit = integer(custom.limit, 'customTypes.limit', 1, 10_000, violations);
    const priority = integer(custom.priority, 'customTypes.priority', 0, 1_000_000, violations);
    if (typeof custom.accept === 'boolean' && limit !== undefined && priority !== undefined) customTypes = { accept: custom.accept, limit, priority };
  }
  const rawCaps = asObject(doc.caps, 'caps', violations);
  let caps: IdentityRulesDocument['caps'] | undefined;
  if (rawCaps) {
    const maxMergesPerProfile = integer(rawCaps.maxMergesPerProfile, 'caps.maxMergesPerProfile', 1, 1_000_000, violations);
    const maxIdentifiersPerProfile = integer(rawCaps.maxIdentifiersPerProfile, 'caps.maxIdentifiersPerProfile', 1, 1_000_000, violations);
    if (maxMergesPerProfile !== undefined && maxIdentifiersPerProfile !== undefined) caps = { maxMergesPerProfile, maxIdentifiersPerProfile };
  }
  if (violations.length > 0 || !blockedValues || !blockedPatterns || !customTypes || !caps) return { ok: false, violations };
  return { ok: true, rules: { types, blockedValues, blockedPatterns, customTypes, caps } };
}

/** A rules document ready for matching: regular expressions compiled, blocked values in sets. */
export interface CompiledRules {
  readonly version: number;
  readonly document: IdentityRulesDocument;
  /** The rule of a type: its own, the custom-type defaults for an unknown type, or undefined when unknown types are ignored. */
  ruleOf(type: string): IdentifierTypeRule | undefined;
  /** Why a normalised value of a type must never link, or null when it may. */
  blockReason(type: string, value: string): BlockReason | null;
}

export type BlockReason = 'blocked_value' | 'blocked_pattern';

export function compileRules(document: IdentityRulesDocument, version: number): CompiledRules {
  const globalValues = new Set(document.blockedValues);
  const globalPatterns = document.blockedPatterns.map((p) => new RegExp(p, 'i'));
  const perType = new Map(
    Object.entries(document.types).map(([type, rule]) => [
      type,
      { rule, values: new Set(rule.blockedValues), patterns: rule.blockedPatterns.map((p) => new RegExp(p, 'i')) },
    ]),
  );
  const custom: IdentifierTypeRule | undefined = document.customTypes.accept
    ? { limit: document.customTypes.limit, priority: document.customTypes.priority, blockedValues: [], blockedPatterns: [] }
    : undefined;
  return {
    version,
    document,
    ruleOf: (type) => perType.get(type)?.rule ?? custom,
    blockReason(type, value) {
      const folded = value.trim().toLowerCase();
      const own = perType.get(type);
      if (globalValues.has(folded) || own?.values.has(folded)) return 'blocked_value';
      if (globalPatterns.some((p) => p.test(value)) || own?.patterns.some((p) => p.test(value))) return 'blocked_pattern';
      return null;
    },
  };
}

function asObject(value: unknown, path: string, violations: RuleViolation[]): Record<string, unknown> | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  violations.push({ path: path || '(document)', message: 'must be an object' });
  return undefined;
}

function integer(value: unknown, path: string, min: number, max: number, violations: RuleViolation[]): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  violations.push({ path, message: `must be an integer from ${min} to ${max}` });
  return undefined;
}

function valueList(value: unknown, path: string, violations: RuleViolation[]): string[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_BLOCKED_ENTRIES) {
    violations.push({ path, message: `must be an array of at most ${MAX_BLOCKED_ENTRIES} strings` });
    return undefined;
  }
  const out = new Set<string>();
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'string' || item.length > MAX_IDENTIFIER_LENGTH) {
      violations.push({ path: `${path}[${i}]`, message: `must be a string of at most ${MAX_IDENTIFIER_LENGTH} characters` });
      return undefined;
    }
    out.add(item.trim().toLowerCase());
  }
  return [...out];
}

function patternList(value: unknown, path: string, violations: RuleViolation[]): string[] | undefined {
  if (!Array.isArray(value) || value.length > MAX_BLOCKED_ENTRIES) {
    violations.push({ path, message: `must be an array of at most ${MAX_BLOCKED_ENTRIES} regular expressions` });
    return undefined;
  }
  const out: string[] = [];
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'string' || item.length === 0 || item.length > MAX_PATTERN_LENGTH) {
      violations.push({ path: `${path}[${i}]`, message: `must be a non-empty regular expression of at most ${MAX_PATTERN_LENGTH} characters` });
      return undefined;
    }
    try {
      new RegExp(item, 'i');
    } catch (err) {
      violations.push({ path: `${path}[${i}]`, message: `is not a valid regular expression: ${(err as Error).message}` });
      return undefined;
    }
    if (!out.includes(item)) out.push(item);
  }
  return out;
}
