import type { AccountState } from './account';
import { DAY_MS, startOfPeriod, startOfPeriodAfter } from './calendar';
import type { Lookups, OrderInput, ProductInput } from './commands';
import type { Cause } from './events';
import { add, currencyExponent, decimalOf, mul, ONE, ratio, type Ratio, round, toMinorUnits, toSafeNumber, ZERO } from './money';
import { type ExpiryPolicy, type Programme, type ProductMatch, type PurchaseRule, type Targeting, tierLevel, type UsageLimit } from './programme';

/** An order's money in integer minor units of its currency: the only conversion from doubles. */
export interface PricedOrder {
  orderId: string;
  currency: string;
  revenueMinor: number;
  lines: { product: ProductInput; amountMinor: Ratio }[];
}

/**
 * Prices an order: revenue and unit prices to minor units (see `toMinorUnits`), line amount =
 * unit price x quantity. Null when an amount is negative or not a number.
 */
export function priceOrder(order: OrderInput, fallbackOrderId: string, fallbackCurrency: string): PricedOrder | null {
  const currency = (order.currency ?? fallbackCurrency).toUpperCase();
  const lines: PricedOrder['lines'] = [];
  for (const product of order.products ?? []) {
    if (product.price == null) continue;
    const price = toMinorUnits(product.price, currency);
    if (price === null || !Number.isFinite(product.quantity) || product.quantity < 0) return null;
    if (product.quantity === 0 || price === 0) continue;
    lines.push({ product, amountMinor: mul(ratio(BigInt(price)), decimalOf(product.quantity)) });
  }
  let revenueMinor: number | null;
  if (order.revenue != null) revenueMinor = toMinorUnits(order.revenue, currency);
  else revenueMinor = toSafeNumber(round(lines.reduce((sum, l) => add(sum, l.amountMinor), ZERO), 'half-even'));
  if (revenueMinor === null) return null;
  return { orderId: order.orderId ?? fallbackOrderId, currency, revenueMinor, lines };
}

const same = (a: string | null | undefined, b: string | null | undefined) => a != null && b != null && a.trim().toLowerCase() === b.trim().toLowerCase();

export function productMatches(match: ProductMatch, product: ProductInput): boolean {
  if (match.category != null && match.category !== '' && !same(match.category, product.category)) return false;
  if (match.brand != null && match.brand !== '' && !same(match.brand, product.brand)) return false;
  if (match.sku != null && match.sku !== '' && match.sku !== product.sku) return false;
  return true;
}

function lineFactor(rule: PurchaseRule, product: ProductInput): Ratio {
  if ((rule.exclusions ?? []).some((m) => productMatches(m, product))) return ZERO;
  let best: number | null = null;
  for (const m of rule.multipliers ?? []) if (productMatches(m.match, product) && (best === null || m.factor > best)) best = m.factor;
  return best === null ? ONE : decimalOf(best);
}

/**
 * Points a purchase rule gives an order, rounded once, here, with the rule's mode:
 *
 *   points = round( sum over lines of base(line) x factor(line) x pointsPerUnit x tierMultiplier / 10^exponent )
 *
 * where base(line) is the line's share of the revenue. When revenue is below the lines' sum (an
 * order discount) every line is scaled down by revenue / sum; when above, the lines count in full
 * and the rest of the revenue earns at factor 1. Exclusions give factor 0; the highest matching
 * multiplier applies otherwise. Everything before the rounding is exact (rationals over BigInt).
 * 0 when the order's currency is not the rule's or the revenue is below the rule's minimum.
 */
export function purchasePoints(rule: PurchaseRule, order: PricedOrder, tierMultiplier: number): number {
  if (order.currency !== rule.currency) return 0;
  if (rule.minimumOrderValue != null && order.revenueMinor < (toMinorUnits(rule.minimumOrderValue, order.currency) ?? Infinity)) return 0;
  const revenue = ratio(BigInt(order.revenueMinor));
  const linesTotal = order.lines.reduce((sum, l) => add(sum, l.amountMinor), ZERO);
  const scale = linesTotal.n === 0n ? ZERO : revenue.n * linesTotal.d < linesTotal.n * revenue.d ? ratio(revenue.n * linesTotal.d, revenue.d * linesTotal.n) : ONE;
  let weighted = ZERO;
  for (const line of order.lines) weighted = add(weighted, mul(mul(line.amountMinor, scale), lineFactor(rule, line.product)));
  const unlisted = add(revenue, mul(linesTotal, ratio(-scale.n, scale.d))); // revenue beyond the lines
  if (unlisted.n > 0n) weighted = add(weighted, unlisted);
  const perMinorUnit = ratio(1n, 10n ** BigInt(currencyExponent(order.currency)));
  const exact = mul(mul(mul(weighted, decimalOf(rule.pointsPerUnit)), rule.tierMultiplier === false ? ONE : decimalOf(tierMultiplier)), perMinorUnit);
  const points = round(exact, rule.rounding);
  return points > 0n ? toSafeNumber(points) : 0;
}

/** Rule id a lot's usage counts against (referral rewards count as `referral:referrer` / `referral:referee`). */
export function ruleIdOf(cause: Cause): string | null {
  switch (cause.kind) {
    case 'order':
    case 'activity':
      return cause.ruleId;
    case 'referral':
      return `referral:${cause.role}`;
    default:
      return null;
  }
}

/** Whether `at` lies in the validity window [validFrom, validUntil). */
export function isValidAt(w: { validFrom?: number | null; validUntil?: number | null }, at: number): boolean {
  return (w.validFrom == null || at >= w.validFrom) && (w.validUntil == null || at < w.validUntil);
}

export function periodBounds(limit: UsageLimit, at: number, timeZone: string): [number, number] {
  if (limit.period === 'lifetime') return [-Infinity, Infinity];
  return [startOfPeriod(at, limit.period, timeZone), startOfPeriodAfter(at, limit.period, 1, timeZone)];
}

/** Times a rule credited this member in the limit's period around `at` (reversed credits still count). */
export function ruleUses(account: AccountState, ruleId: string, limit: UsageLimit, at: number, timeZone: string): number {
  const [from, to] = periodBounds(limit, at, timeZone);
  let uses = 0;
  for (const lot of Object.values(account.lots)) if (ruleIdOf(lot.cause) === ruleId && lot.earnedAt >= from && lot.earnedAt < to) uses += 1;
  return uses;
}

/** The member's effective tier id (the lowest level when none was reached), or null without tiers. */
export function currentTierId(account: AccountState, programme: Programme): string | null {
  return tierLevel(programme, account.tier.current)?.level.id ?? programme.tiers?.levels[0]?.id ?? null;
}

export function isTargeted(targeting: Targeting | null | undefined, account: AccountState, programme: Programme, lookups: Lookups): boolean {
  if (!targeting) return true;
  const { segments, tags, tiers } = targeting;
  if (segments?.length && !segments.some((s) => lookups.isInSegment(account.profileId, s))) return false;
  if (tags?.length && !tags.some((t) => lookups.hasTag(account.profileId, t))) return false;
  if (tiers?.length) {
    const tier = currentTierId(account, programme);
    if (tier === null || !tiers.includes(tier)) return false;
  }
  return true;
}

/** Whether a rule may credit this member for an event at `at`: validity, targeting, usage limit. */
export function ruleApplies(
  rule: { id: string; validFrom?: number | null; validUntil?: number | null; targeting?: Targeting | null; limit?: UsageLimit | null },
  account: AccountState,
  at: number,
  programme: Programme,
  lookups: Lookups,
): boolean {
  if (!isValidAt(rule, at)) return false;
  if (!isTargeted(rule.targeting, account, programme, lookups)) return false;
  if (rule.limit && ruleUses(account, rule.id, rule.limit, at, programme.timeZone) >= rule.limit.count) return false;
  return true;
}

/** When points that became spendable at `availableAt` expire, or null. */
export function expiryOf(policy: ExpiryPolicy, availableAt: number, timeZone: string): number | null {
  switch (policy.kind) {
    case 'never':
      return null;
    case 'rolling':
      return availableAt + policy.days * DAY_MS;
    case 'end-of-period':
      return startOfPeriodAfter(availableAt, policy.unit, policy.periodsAfter + 1, timeZone);
    default: {
      const never: never = policy;
      throw new RangeError(`unknown expiry policy ${(never as ExpiryPolicy).kind}`);
    }
  }
}

/** The member's tier multiplier for purchase points (1 without tiers). */
export function tierMultiplierOf(account: AccountState, programme: Programme): number {
  return tierLevel(programme, account.tier.current)?.level.earnMultiplier ?? 1;
}
