import type { AccountState } from './account';
import type { Lookups, OrderInput } from './commands';
import { priceOrder } from './earning';
import { ruleCredits } from './orders.decider';
import type { Programme } from './programme';

/**
 * What an order would earn the member now, rule by rule, without recording anything (for a
 * checkout's "you will earn N points"). Referral rewards are not included. Null for an order with
 * a negative or non-numeric amount.
 */
export function previewOrderPoints(
  account: AccountState,
  programme: Programme,
  order: OrderInput,
  at: number,
  lookups: Lookups,
): { total: number; pending: boolean; byRule: { ruleId: string; points: number }[] } | null {
  const priced = priceOrder(order, 'preview', programme.currency);
  if (!priced) return null;
  const plans = ruleCredits(account, priced, 'preview', at, programme, lookups, () => 'preview');
  const byRule = plans.map((p) => ({ ruleId: p.cause.kind === 'order' ? p.cause.ruleId : '', points: p.points }));
  return { total: byRule.reduce((s, r) => s + r.points, 0), pending: programme.pendingDays > 0, byRule };
}
