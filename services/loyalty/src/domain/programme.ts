import { type CalendarUnit, isTimeZone } from './calendar';
import { isCurrencyCode, ROUNDING_MODES, type RoundingMode } from './money';

/**
 * A loyalty programme's configuration. Plain JSON (stored as a document, edited over the API);
 * `validateProgramme` is the gate every stored configuration passes. Money values are major units
 * of the named currency; times are epoch ms; periods are calendar periods in `timeZone`.
 */
export interface Programme {
  id: string;
  name: string;
  /** Name of the points currency shown to members, e.g. "积分" or "Stars". */
  pointsName: string;
  /** ISO 4217 code of spend-based tier qualification, reward values and referral minimums. */
  currency: string;
  /** IANA zone of calendar periods (usage limits, end-of-month expiry, tier reviews). */
  timeZone: string;
  /** Return window: purchase points stay pending this many days after the order, then activate. 0 = at once. */
  pendingDays: number;
  expiry: ExpiryPolicy;
  earningRules: EarningRule[];
  tiers: TierPolicy | null;
  rewards: Reward[];
  referral: ReferralPolicy | null;
  notifications: NotificationPolicy;
}

/**
 * When credited points expire. The clock starts when points become spendable: at earning for
 * points credited active, at activation for purchase points that were pending.
 */
export type ExpiryPolicy =
  | { kind: 'never' }
  /** N days after the points became spendable. */
  | { kind: 'rolling'; days: number }
  /** At the end of the month (or year) they became spendable in, `periodsAfter` periods later. */
  | { kind: 'end-of-period'; unit: 'month' | 'year'; periodsAfter: number };

/** Products match when every given field is equal (category and brand ignore case; SKU is exact). */
export interface ProductMatch {
  category?: string | null;
  brand?: string | null;
  sku?: string | null;
}

export interface ProductMultiplier {
  match: ProductMatch;
  factor: number;
}

/** Who a rule or reward is for. Each non-empty list must match (any of its entries); empty or absent = everyone. */
export interface Targeting {
  segments?: string[];
  tags?: string[];
  tiers?: string[];
}

export const LIMIT_PERIODS = ['day', 'week', 'month', 'quarter', 'year', 'lifetime'] as const;
export type LimitPeriod = (typeof LIMIT_PERIODS)[number];

/** At most `count` uses per member per calendar period (of the event's time), or in a lifetime. */
export interface UsageLimit {
  count: number;
  period: LimitPeriod;
}

interface RuleCommon {
  id: string;
  name: string;
  /** Validity window on the event's time: [validFrom, validUntil). Null = unbounded. */
  validFrom?: number | null;
  validUntil?: number | null;
  targeting?: Targeting | null;
  limit?: UsageLimit | null;
}

/** Points per unit of money spent on an order in `currency`. */
export interface PurchaseRule extends RuleCommon {
  kind: 'purchase';
  currency: string;
  /** Points per major unit of `currency` (1 = a point per dollar; 0.1 = a point per 10 yuan). */
  pointsPerUnit: number;
  rounding: RoundingMode;
  /** The order's revenue must reach this (major units of `currency`). */
  minimumOrderValue?: number | null;
  /** The highest factor among matching entries applies to a product line; 1 when none matches. */
  multipliers?: ProductMultiplier[];
  /** Product lines that earn nothing under this rule. */
  exclusions?: ProductMatch[];
  /** Multiply by the member's tier multiplier (default true). */
  tierMultiplier?: boolean;
}

export const ACTIVITY_KINDS = ['sign_up', 'first_purchase', 'review', 'survey_completed', 'birthday', 'profile_completed', 'custom'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** A fixed number of points for something the member did. `first_purchase` fires on the member's first order. */
export interface ActivityRule extends RuleCommon {
  kind: 'activity';
  activity: ActivityKind;
  /** For `custom`: the event name to match (case-insensitive). */
  eventName?: string | null;
  points: number;
}

export type EarningRule = PurchaseRule | ActivityRule;

export interface TierLevel {
  id: string;
  name: string;
  /** Points earned, or spend in major units of the programme currency, within the window. The first level's is 0. */
  threshold: number;
  /** Applied to purchase points (1 = none). */
  earnMultiplier: number;
}

/**
 * Qualification on points earned (purchase and activity rules, net of reversals) or spend (order
 * revenue in the programme currency, net of refunds) over a rolling window: never on the balance.
 */
export interface TierPolicy {
  metric: 'points' | 'spend';
  windowDays: number;
  /** Downgrades happen only at the end of each such period. */
  reviewPeriod: 'month' | 'quarter' | 'year';
  /** Lowest first. */
  levels: TierLevel[];
}

export type RewardGrantSpec =
  | { kind: 'coupon'; codes: { source: 'pool'; poolId: string } | { source: 'generated'; prefix: string } }
  | { kind: 'discount'; amountOff: number | null; percentOff: number | null; prefix: string }
  | { kind: 'gift'; sku: string };

export interface Reward {
  id: string;
  name: string;
  /** Points the member pays. */
  cost: number;
  grant: RewardGrantSpec;
  validFrom?: number | null;
  validUntil?: number | null;
  targeting?: Targeting | null;
  minimumTier?: string | null;
  limit?: UsageLimit | null;
}

export interface ReferralPolicy {
  referrerPoints: number;
  refereePoints: number;
  /** The referee's first order must reach this (major units of the programme currency); null = any. */
  minimumOrderValue: number | null;
  /** Rewards a referrer can collect (null = unlimited). */
  referrerLimit: UsageLimit | null;
}

export interface NotificationPolicy {
  /** Warn about points expiring within this many days. */
  expiringSoonDays: number;
  /** Tier changes older than this when noticed are not announced (history replays, late ticks). */
  tierChangeMaxAgeDays: number;
}

export interface ProgrammeProblem {
  path: string;
  message: string;
}

const isInt = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
const isPositive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const isNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every problem of a configuration, each with its JSON path; empty when it can run. */
export function validateProgramme(p: Programme): ProgrammeProblem[] {
  const problems: ProgrammeProblem[] = [];
  const check = (ok: boolean, path: string, message: string) => {
    if (!ok) problems.push({ path, message });
  };
  // Documents arrive as JSON from an API: anything that is not the shape the rest relies on is a
  // problem to report, never a TypeError.
  if (!isObject(p)) return [{ path: '', message: 'must be an object' }];
  const objects = <T>(value: T[] | undefined | null, path: string, required: boolean): T[] => {
    if (value == null && !required) return [];
    if (!Array.isArray(value)) {
      problems.push({ path, message: 'must be a list' });
      return [];
    }
    return value.filter((item, i) => {
      check(isObject(item), `${path}[${i}]`, 'must be an object');
      return isObject(item);
    });
  };
  check(isText(p.id), 'id', 'must be a non-empty string');
  check(isText(p.name), 'name', 'must be a non-empty string');
  check(isText(p.pointsName), 'pointsName', 'must be a non-empty string');
  check(typeof p.currency === 'string' && isCurrencyCode(p.currency), 'currency', 'must be an upper-case ISO 4217 code');
  check(typeof p.timeZone === 'string' && isTimeZone(p.timeZone), 'timeZone', 'must be an IANA time zone');
  check(isInt(p.pendingDays), 'pendingDays', 'must be a non-negative integer');
  checkExpiry(p.expiry, check);

  const ruleIds = new Set<string>();
  objects(p.earningRules, 'earningRules', true).forEach((rule) => {
    const at = `earningRules[${p.earningRules.indexOf(rule)}]`;
    check(isText(rule.id) && !ruleIds.has(rule.id) && !rule.id.startsWith('referral:'), `${at}.id`, 'must be a unique non-empty id (referral:* is reserved)');
    ruleIds.add(rule.id);
    checkWindow(rule, at, check);
    checkLimit(rule.limit, `${at}.limit`, check);
    checkTargeting(rule.targeting, `${at}.targeting`, check);
    if (rule.kind === 'purchase') {
      check(isCurrencyCode(rule.currency ?? ''), `${at}.currency`, 'must be an upper-case ISO 4217 code');
      check(isPositive(rule.pointsPerUnit), `${at}.pointsPerUnit`, 'must be a positive number');
      check((ROUNDING_MODES as readonly string[]).includes(rule.rounding), `${at}.rounding`, `must be one of ${ROUNDING_MODES.join(', ')}`);
      check(rule.minimumOrderValue == null || isNonNegative(rule.minimumOrderValue), `${at}.minimumOrderValue`, 'must be a non-negative amount');
      objects(rule.multipliers, `${at}.multipliers`, false).forEach((m, j) => {
        check(isNonNegative(m.factor), `${at}.multipliers[${j}].factor`, 'must be a non-negative number');
        check(hasCriterion(m.match), `${at}.multipliers[${j}].match`, 'must name a category, brand or sku');
      });
      objects(rule.exclusions, `${at}.exclusions`, false).forEach((m, j) => check(hasCriterion(m), `${at}.exclusions[${j}]`, 'must name a category, brand or sku'));
    } else if (rule.kind === 'activity') {
      check((ACTIVITY_KINDS as readonly string[]).includes(rule.activity), `${at}.activity`, `must be one of ${ACTIVITY_KINDS.join(', ')}`);
      check(rule.activity !== 'custom' || isText(rule.eventName), `${at}.eventName`, 'a custom rule must name its event');
      check(isInt(rule.points, 1), `${at}.points`, 'must be a positive integer');
    } else {
      problems.push({ path: `${at}.kind`, message: 'must be purchase or activity' });
    }
  });

  check(p.tiers == null || isObject(p.tiers), 'tiers', 'must be an object or null');
  if (isObject(p.tiers)) {
    const t = p.tiers;
    check(t.metric === 'points' || t.metric === 'spend', 'tiers.metric', 'must be points or spend');
    check(isInt(t.windowDays, 1), 'tiers.windowDays', 'must be a positive integer');
    check(['month', 'quarter', 'year'].includes(t.reviewPeriod), 'tiers.reviewPeriod', 'must be month, quarter or year');
    const levels = objects(t.levels, 'tiers.levels', true);
    check(!Array.isArray(t.levels) || t.levels.length > 0, 'tiers.levels', 'must list at least one level');
    const ids = new Set<string>();
    // Thresholds compare with the previous level, so levels are checked only when all are objects.
    const checkable = Array.isArray(t.levels) && levels.length === t.levels.length ? levels : [];
    checkable.forEach((level, i) => {
      check(isText(level.id) && !ids.has(level.id), `tiers.levels[${i}].id`, 'must be a unique non-empty id');
      ids.add(level.id);
      check(i === 0 ? level.threshold === 0 : isPositive(level.threshold) && level.threshold > t.levels[i - 1].threshold, `tiers.levels[${i}].threshold`, i === 0 ? 'the first level starts at 0' : 'must be above the previous level');
      check(isNonNegative(level.earnMultiplier), `tiers.levels[${i}].earnMultiplier`, 'must be a non-negative number');
    });
  }

  const rewardIds = new Set<string>();
  objects(p.rewards, 'rewards', true).forEach((reward) => {
    const at = `rewards[${p.rewards.indexOf(reward)}]`;
    check(isText(reward.id) && !rewardIds.has(reward.id), `${at}.id`, 'must be a unique non-empty id');
    rewardIds.add(reward.id);
    check(isInt(reward.cost, 1), `${at}.cost`, 'must be a positive integer');
    checkWindow(reward, at, check);
    checkLimit(reward.limit, `${at}.limit`, check);
    checkTargeting(reward.targeting, `${at}.targeting`, check);
    check(reward.minimumTier == null || (Array.isArray(p.tiers?.levels) ? p.tiers.levels : []).some((l) => l?.id === reward.minimumTier), `${at}.minimumTier`, 'must be a tier of the programme');
    const g = reward.grant;
    if (g?.kind === 'coupon') {
      check(g.codes?.source === 'pool' ? isText(g.codes.poolId) : g.codes?.source === 'generated' && typeof g.codes.prefix === 'string', `${at}.grant.codes`, 'must be a pool (poolId) or generated (prefix)');
    } else if (g?.kind === 'discount') {
      const oneOf = (g.amountOff == null) !== (g.percentOff == null);
      check(oneOf && (g.amountOff == null || isPositive(g.amountOff)) && (g.percentOff == null || (isPositive(g.percentOff) && g.percentOff <= 100)), `${at}.grant`, 'needs exactly one of a positive amountOff or a percentOff in (0, 100]');
    } else if (g?.kind === 'gift') {
      check(isText(g.sku), `${at}.grant.sku`, 'must be a non-empty SKU');
    } else {
      problems.push({ path: `${at}.grant.kind`, message: 'must be coupon, discount or gift' });
    }
  });

  check(p.referral == null || isObject(p.referral), 'referral', 'must be an object or null');
  if (isObject(p.referral)) {
    check(isInt(p.referral.referrerPoints), 'referral.referrerPoints', 'must be a non-negative integer');
    check(isInt(p.referral.refereePoints), 'referral.refereePoints', 'must be a non-negative integer');
    check(p.referral.minimumOrderValue == null || isNonNegative(p.referral.minimumOrderValue), 'referral.minimumOrderValue', 'must be a non-negative amount');
    checkLimit(p.referral.referrerLimit, 'referral.referrerLimit', check);
  }
  check(isInt(p.notifications?.expiringSoonDays), 'notifications.expiringSoonDays', 'must be a non-negative integer');
  check(isInt(p.notifications?.tierChangeMaxAgeDays), 'notifications.tierChangeMaxAgeDays', 'must be a non-negative integer');
  return problems;
}

type Check = (ok: boolean, path: string, message: string) => void;

function checkExpiry(e: ExpiryPolicy, check: Check): void {
  if (e?.kind === 'never') return;
  if (e?.kind === 'rolling') return check(isInt(e.days, 1), 'expiry.days', 'must be a positive integer');
  if (e?.kind === 'end-of-period') {
    check(e.unit === 'month' || e.unit === 'year', 'expiry.unit', 'must be month or year');
    return check(isInt(e.periodsAfter), 'expiry.periodsAfter', 'must be a non-negative integer');
  }
  check(false, 'expiry.kind', 'must be never, rolling or end-of-period');
}

function checkWindow(w: { validFrom?: number | null; validUntil?: number | null }, at: string, check: Check): void {
  check(w.validFrom == null || Number.isFinite(w.validFrom), `${at}.validFrom`, 'must be epoch ms');
  check(w.validUntil == null || Number.isFinite(w.validUntil), `${at}.validUntil`, 'must be epoch ms');
  check(w.validFrom == null || w.validUntil == null || w.validFrom < w.validUntil, `${at}.validUntil`, 'must be after validFrom');
}

function checkLimit(limit: UsageLimit | null | undefined, at: string, check: Check): void {
  if (limit == null) return;
  check(isInt(limit.count, 1), `${at}.count`, 'must be a positive integer');
  check((LIMIT_PERIODS as readonly string[]).includes(limit.period), `${at}.period`, `must be one of ${LIMIT_PERIODS.join(', ')}`);
}

function checkTargeting(t: Targeting | null | undefined, at: string, check: Check): void {
  if (t == null) return;
  for (const key of ['segments', 'tags', 'tiers'] as const) {
    const list = t[key];
    check(list === undefined || (Array.isArray(list) && list.every(isText)), `${at}.${key}`, 'must be a list of non-empty strings');
  }
}

function hasCriterion(m: ProductMatch | undefined): boolean {
  return !!m && (isText(m.category) || isText(m.brand) || isText(m.sku));
}

/** A level by id, with its rank (0 = lowest). */
export function tierLevel(programme: Programme, id: string | null): { level: TierLevel; rank: number } | null {
  const levels = programme.tiers?.levels ?? [];
  const rank = id === null ? 0 : levels.findIndex((l) => l.id === id);
  return rank >= 0 && levels[rank] ? { level: levels[rank], rank } : null;
}

export function limitUnit(period: LimitPeriod): CalendarUnit | null {
  return period === 'lifetime' ? null : period;
}
