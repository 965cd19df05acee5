import fc from 'fast-check';
import * as fs from 'node:fs';
import { associationRules, frequentlyBoughtTogether, indexRules, mineAssociationRules, recommendForProfile } from './association-rules';
import { mineFrequentItemsets } from './fp-growth';
import { parseBaskets, readDataset } from './testing/datasets';

const ITEMS = ['a', 'b', 'c', 'd', 'e', 'f'];
const baskets = fc.array(fc.subarray(ITEMS, { minLength: 1 }), { minLength: 5, maxLength: 40 });

describe('association rules', () => {
  describe('given the Groceries baskets', () => {
    const groceries = parseBaskets(readDataset('groceries.csv', __dirname, fs));

    it('apriori(Groceries, support = 0.001, confidence = 0.5) gives 5,668 rules (arules documentation)', () => {
      expect(mineAssociationRules(groceries, { minSupport: 0.001, minConfidence: 0.5 }).rules).toHaveLength(5668);
    });

    it('support 0.001 with confidence 0.6, 0.8, 0.9 gives the widely reproduced 2,918, 410 and 129 rules (arules)', () => {
      const mined = mineFrequentItemsets(groceries, { minSupport: 0.001 });
      expect(associationRules(mined, { minConfidence: 0.6 })).toHaveLength(2918);
      expect(associationRules(mined, { minConfidence: 0.8 })).toHaveLength(410);
      expect(associationRules(mined, { minConfidence: 0.9 })).toHaveLength(129);
    });

    it("support 0.006, confidence 0.25, minlen 2 gives 463 rules, led by {herbs} => {root vegetables}, lift 3.956 (Lantz, Machine Learning with R, ch. 8)", () => {
      const { rules } = mineAssociationRules(groceries, { minSupport: 0.006, minConfidence: 0.25, minLength: 2 });
      expect(rules).toHaveLength(463);
      const [top, second, third] = rules;
      expect(top).toMatchObject({ antecedent: ['herbs'], consequent: 'root vegetables' });
      expect(top.support).toBeCloseTo(0.007015760, 8);
      expect(top.confidence).toBeCloseTo(0.43125, 8);
      expect(top.lift).toBeCloseTo(3.956477, 5);
      expect(second).toMatchObject({ antecedent: ['berries'], consequent: 'whipped/sour cream' });
      expect(second.lift).toBeCloseTo(3.796886, 5);
      expect([...third.antecedent].sort()).toEqual(['other vegetables', 'tropical fruit', 'whole milk']);
      expect(third.lift).toBeCloseTo(3.768074, 5);
    });

    it('ranks what goes with herbs, and recommends from a basket without repeating it', () => {
      const index = indexRules(mineAssociationRules(groceries, { minSupport: 0.006, minConfidence: 0.25 }).rules);
      const withHerbs = groceries.filter((b) => b.includes('herbs'));
      const share = (item: string): number => withHerbs.filter((b) => b.includes(item)).length / withHerbs.length;
      // Of the 160 baskets with herbs, 76 have other vegetables, 76 whole milk and 69 root vegetables.
      const byLift = frequentlyBoughtTogether(index, 'herbs');
      expect(byLift.map((r) => r.consequent)).toEqual(['root vegetables', 'other vegetables', 'whole milk']);
      byLift.forEach((r) => expect(r.confidence).toBeCloseTo(share(r.consequent), 12));
      // Equal confidence (76/160) is broken by lift: other vegetables are rarer overall than whole milk.
      const byConfidence = frequentlyBoughtTogether(index, 'herbs', { rankBy: 'confidence' });
      expect(byConfidence.map((r) => r.consequent)).toEqual(['other vegetables', 'whole milk', 'root vegetables']);

      const recs = recommendForProfile(index, ['herbs', 'whole milk']);
      expect(recs.map((r) => r.item)).toEqual(['other vegetables', 'root vegetables']);
      expect(recs[0]).toMatchObject({ score: share('other vegetables'), because: ['herbs'] });
    });
  });

  it('every rule satisfies the definitions of its measures', () => {
    fc.assert(
      fc.property(baskets, fc.integer({ min: 1, max: 4 }), fc.double({ min: 0, max: 1, noNaN: true }), (data, minCount, minConfidence) => {
        const mined = mineFrequentItemsets(data, { minCount });
        const n = data.length;
        for (const rule of associationRules(mined, { minConfidence })) {
          const a = mined.countOf(rule.antecedent)! / n;
          const c = mined.countOf([rule.consequent])! / n;
          const ac = mined.countOf([...rule.antecedent, rule.consequent])! / n;
          expect(rule.support).toBeCloseTo(ac, 12);
          expect(rule.confidence).toBeCloseTo(ac / a, 12);
          expect(rule.confidence).toBeGreaterThanOrEqual(minConfidence);
          expect(rule.lift).toBeCloseTo(ac / (a * c), 9);
          expect(rule.leverage).toBeCloseTo(ac - a * c, 12);
          if (rule.confidence < 1) expect(rule.conviction * (1 - rule.confidence)).toBeCloseTo(1 - c, 9);
          else expect(rule.conviction).toBe(Infinity);
          // Lift and leverage agree on the direction of the association.
          if (rule.lift > 1 + 1e-9) expect(rule.leverage).toBeGreaterThan(0);
          if (rule.lift < 1 - 1e-9) expect(rule.leverage).toBeLessThan(0);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('lift is symmetric: lift({x} ⇒ y) = lift({y} ⇒ x)', () => {
    fc.assert(
      fc.property(baskets, (data) => {
        const rules = associationRules(mineFrequentItemsets(data, { minCount: 1 }), { minConfidence: 0 });
        const pairs = new Map(rules.filter((r) => r.antecedent.length === 1).map((r) => [`${r.antecedent[0]}>${r.consequent}`, r.lift]));
        for (const [key, lift] of pairs) {
          const [x, y] = key.split('>');
          expect(pairs.get(`${y}>${x}`)).toBeCloseTo(lift, 9);
        }
      }),
    );
  });

  it('recommends, for each item not bought, the most confident applicable rule', () => {
    fc.assert(
      fc.property(baskets, fc.subarray(ITEMS), (data, bought) => {
        const rules = associationRules(mineFrequentItemsets(data, { minCount: 2 }), { minConfidence: 0.1 });
        const recs = recommendForProfile(indexRules(rules), bought, { limit: ITEMS.length });
        const owned = new Set(bought);
        for (const rec of recs) {
          expect(owned.has(rec.item)).toBe(false);
          const applicable = rules.filter((r) => r.consequent === rec.item && r.antecedent.every((x) => owned.has(x)));
          expect(rec.rules).toBe(applicable.length);
          expect(rec.score).toBe(Math.max(...applicable.map((r) => r.confidence)));
        }
        const reachable = new Set(rules.filter((r) => !owned.has(r.consequent) && r.antecedent.every((x) => owned.has(x))).map((r) => r.consequent));
        expect(recs.map((r) => r.item).sort()).toEqual([...reachable].sort());
        for (let i = 1; i < recs.length; i++) expect(recs[i].score).toBeLessThanOrEqual(recs[i - 1].score);
      }),
    );
  });

  it('applies minLift and minLength', () => {
    const data = [['a', 'b'], ['a', 'b'], ['a', 'c'], ['b'], ['c', 'd', 'a']];
    const mined = mineFrequentItemsets(data, { minCount: 1 });
    expect(associationRules(mined, { minConfidence: 0, minLift: 1.01 }).every((r) => r.lift >= 1.01)).toBe(true);
    expect(associationRules(mined, { minConfidence: 0, minLength: 3 }).every((r) => r.antecedent.length >= 2)).toBe(true);
    expect(() => associationRules(mined, { minLength: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});
