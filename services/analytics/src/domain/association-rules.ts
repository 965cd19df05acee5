/**
 * Association rules over frequent itemsets (fp-growth.ts), "frequently bought together" and personal
 * recommendations.
 *
 *   associationRules(mined, { minConfidence?, minLift?, minLength? })  -> AssociationRule[] (by lift, desc)
 *   mineAssociationRules(baskets, { ...MiningOptions, ...RuleOptions })  -> { mined, rules }
 *   indexRules(rules)                                                    -> RuleIndex
 *   frequentlyBoughtTogether(index, item, { limit?, rankBy? })           -> rules {item} ⇒ {y}, best first
 *   recommendForProfile(index, purchasedItems, { limit? })               -> Recommendation[], best first
 *
 * A rule A ⇒ {c} has one item on the right, as arules' apriori produces (so rule counts compare with
 * arules'), and a non-empty antecedent. With n baskets and counts N(·):
 *   support    = N(A ∪ c) / n
 *   confidence = N(A ∪ c) / N(A)                       P(c | A)
 *   lift       = confidence / (N(c) / n)               > 1: A makes c more likely than it is overall
 *   leverage   = support − (N(A)/n)(N(c)/n)            excess co-occurrence over independence
 *   conviction = (1 − N(c)/n) / (1 − confidence)       Infinity for a rule that never fails
 * Thresholds: confidence ≥ minConfidence (default 0.8, arules' default), lift ≥ minLift (default 0),
 * and at least minLength items in antecedent + consequent (default 2, arules' minlen = 2).
 *
 * Recommendation score for a profile that bought the set S: for each item c not in S, take the
 * rules A ⇒ {c} with A ⊆ S; the score is the highest confidence among them, i.e. the best estimate of
 * P(c | a basket like this profile's), with ties broken by lift, then support, then item id. Taking
 * the maximum rather than a sum keeps the score a probability and does not reward an item merely for
 * being reachable from many overlapping antecedents. The winning rule's antecedent is returned as
 * the reason ("because you bought …").
 */
import { mineFrequentItemsets, type FrequentItemsets, type MiningOptions } from './fp-growth';
import { invalidInput, invalidOption } from './model-error';

export interface AssociationRule {
  antecedent: string[];
  consequent: string;
  /** Baskets containing antecedent and consequent. */
  count: number;
  support: number;
  confidence: number;
  lift: number;
  leverage: number;
  conviction: number;
}

export interface RuleOptions {
  minConfidence?: number;
  minLift?: number;
  minLength?: number;
}

function byLift(p: AssociationRule, q: AssociationRule): number {
  return (
    q.lift - p.lift ||
    q.confidence - p.confidence ||
    q.support - p.support ||
    compareText(p.consequent, q.consequent) ||
    compareText(p.antecedent.join('\u0000'), q.antecedent.join('\u0000'))
  );
}

function byConfidence(p: AssociationRule, q: AssociationRule): number {
  return q.confidence - p.confidence || byLift(p, q);
}

function compareText(p: string, q: string): number {
  return p < q ? -1 : p > q ? 1 : 0;
}

export function associationRules(mined: FrequentItemsets, options: RuleOptions = {}): AssociationRule[] {
  const minConfidence = options.minConfidence ?? 0.8;
  const minLift = options.minLift ?? 0;
  const minLength = options.minLength ?? 2;
  if (!(minConfidence >= 0 && minConfidence <= 1)) throw invalidOption(`minConfidence must be in [0, 1], got ${minConfidence}`);
  if (!(minLift >= 0)) throw invalidOption(`minLift must be >= 0, got ${minLift}`);
  if (!Number.isInteger(minLength) || minLength < 2) throw invalidOption(`minLength must be an integer >= 2, got ${minLength}`);
  const n = mined.basketCount;
  const rules: AssociationRule[] = [];
  for (const set of mined.itemsets) {
    const size = set.items.length;
    if (size < minLength) continue;
    for (let j = 0; j < size; j++) {
      const consequent = set.items[j];
      const antecedent = set.items.filter((_, k) => k !== j);
      const antecedentCount = mined.countOf(antecedent);
      // Every subset of a frequent itemset is frequent and no longer, so it was mined.
      if (antecedentCount === undefined) throw invalidInput(`antecedent ${antecedent.join(', ')} missing from the mined itemsets`);
      const confidence = set.count / antecedentCount;
      if (confidence < minConfidence) continue;
      const consequentSupport = mined.itemCounts.get(consequent)! / n;
      const lift = confidence / consequentSupport;
      if (lift < minLift) continue;
      rules.push({
        antecedent,
        consequent,
        count: set.count,
        support: set.support,
        confidence,
        lift,
        leverage: set.support - (antecedentCount / n) * consequentSupport,
        conviction: confidence === 1 ? Infinity : (1 - consequentSupport) / (1 - confidence),
      });
    }
  }
  return rules.sort(byLift);
}

export function mineAssociationRules(
  baskets: readonly (readonly string[])[],
  options: MiningOptions & RuleOptions,
): { mined: FrequentItemsets; rules: AssociationRule[] } {
  const mined = mineFrequentItemsets(baskets, options);
  return { mined, rules: associationRules(mined, options) };
}

export interface RuleIndex {
  /** Rules by the first item of their antecedent; each rule appears once. */
  readonly byFirstItem: ReadonlyMap<string, readonly AssociationRule[]>;
  /** Rules whose antecedent is exactly one item, by that item. */
  readonly bySingleItem: ReadonlyMap<string, readonly AssociationRule[]>;
}

export function indexRules(rules: readonly AssociationRule[]): RuleIndex {
  const byFirstItem = new Map<string, AssociationRule[]>();
  const bySingleItem = new Map<string, AssociationRule[]>();
  for (const rule of rules) {
    const first = rule.antecedent[0];
    let list = byFirstItem.get(first);
    if (!list) byFirstItem.set(first, (list = []));
    list.push(rule);
    if (rule.antecedent.length === 1) {
      let single = bySingleItem.get(first);
      if (!single) bySingleItem.set(first, (single = []));
      single.push(rule);
    }
  }
  return { byFirstItem, bySingleItem };
}

export interface BoughtTogetherOptions {
  /** Default 10. */
  limit?: number;
  /** Default 'lift'; ties fall back to the other measures. */
  rankBy?: 'lift' | 'confidence';
}

/** Rules {item} ⇒ {y}: what shoppers who buy `item` also buy, ranked. */
export function frequentlyBoughtTogether(index: RuleIndex, item: string, options: BoughtTogetherOptions = {}): AssociationRule[] {
  const rules = [...(index.bySingleItem.get(item) ?? [])];
  const rankBy = options.rankBy ?? 'lift';
  switch (rankBy) {
    case 'lift':
      rules.sort(byLift);
      break;
    case 'confidence':
      rules.sort(byConfidence);
      break;
    default: {
      const never: never = rankBy;
      throw invalidOption(`rankBy must be 'lift' or 'confidence', got ${String(never)}`);
    }
  }
  return rules.slice(0, options.limit ?? 10);
}

export interface Recommendation {
  item: string;
  /** Highest confidence of an applicable rule: estimated P(item | the profile's purchases). */
  score: number;
  lift: number;
  support: number;
  /** Antecedent of the rule that gave the score. */
  because: string[];
  /** How many applicable rules point at the item. */
  rules: number;
}

/** Items the profile's purchases imply through the rules, minus what it already bought. */
export function recommendForProfile(index: RuleIndex, purchased: Iterable<string>, options: { limit?: number } = {}): Recommendation[] {
  const bought = new Set(purchased);
  const best = new Map<string, { rule: AssociationRule; rules: number }>();
  for (const item of bought) {
    for (const rule of index.byFirstItem.get(item) ?? []) {
      if (bought.has(rule.consequent)) continue;
      if (!rule.antecedent.every((a) => bought.has(a))) continue;
      const current = best.get(rule.consequent);
      if (!current) best.set(rule.consequent, { rule, rules: 1 });
      else {
        current.rules++;
        if (byConfidence(rule, current.rule) < 0) current.rule = rule;
      }
    }
  }
  const out: Recommendation[] = [...best.values()].map(({ rule, rules }) => ({
    item: rule.consequent,
    score: rule.confidence,
    lift: rule.lift,
    support: rule.support,
    because: rule.antecedent,
    rules,
  }));
  out.sort((p, q) => q.score - p.score || q.lift - p.lift || q.support - p.support || compareText(p.item, q.item));
  return out.slice(0, options.limit ?? 10);
}
