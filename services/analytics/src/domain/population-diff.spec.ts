import fc from 'fast-check';
import { comparePopulations, type CategoricalComparison, type NumericComparison, type PopulationRecord } from './population-diff';

const numeric = (name: string) => ({ name, kind: 'numeric' as const });
const categorical = (name: string) => ({ name, kind: 'categorical' as const });

describe('comparePopulations', () => {
  it('given two numeric samples, then it reports means, medians, Cohen\'s d and the point-biserial correlation', () => {
    const churned = [9, 11].map((orders) => ({ orders }));
    const retained = [10, 12].map((orders) => ({ orders }));
    const [cmp] = comparePopulations(churned, retained, [numeric('orders')]) as NumericComparison[];
    expect(cmp.a).toMatchObject({ count: 2, missing: 0, mean: 10, median: 10 });
    expect(cmp.a.sd).toBeCloseTo(Math.SQRT2, 12);
    expect(cmp.meanDifference).toBe(-1);
    expect(cmp.medianDifference).toBe(-1);
    expect(cmp.cohensD).toBeCloseTo(-1 / Math.SQRT2, 12); // pooled SD √2
    // Values 9, 10, 11, 12 with membership 1, 0, 1, 0: r = −1/√5 (Pearson on the 0/1 coding).
    expect(cmp.association).toBeCloseTo(1 / Math.sqrt(5), 12);
  });

  it('given a yes/no attribute split 30/10 against 10/30, then φ = Cramér\'s V = 0.5 and χ² = 20', () => {
    const a = [...Array(30).fill({ member: 'yes' }), ...Array(10).fill({ member: 'no' })];
    const b = [...Array(10).fill({ member: 'yes' }), ...Array(30).fill({ member: 'no' })];
    const [cmp] = comparePopulations(a, b, [categorical('member')]) as CategoricalComparison[];
    expect(cmp.cramersV).toBeCloseTo(0.5, 12);
    expect(cmp.chiSquare).toBeCloseTo(20, 10);
    expect(cmp.maxShareDifference).toBeCloseTo(0.5, 12);
    expect(cmp.categories.map((c) => [c.value, c.shareA, c.shareB])).toEqual([
      ['no', 0.25, 0.75],
      ['yes', 0.75, 0.25],
    ]);
  });

  it('ranks a yes/no attribute the same whether it is coded as numbers or as categories (V = |r_pb|)', () => {
    const side = fc.array(fc.boolean(), { minLength: 2, maxLength: 60 });
    fc.assert(
      fc.property(side, side, (xa, xb) => {
        const rows = (xs: boolean[]) => xs.map((x) => ({ asNumber: x ? 1 : 0, asCategory: x ? 'yes' : 'no' }));
        const result = comparePopulations(rows(xa), rows(xb), [numeric('asNumber'), categorical('asCategory')]);
        const byName = new Map(result.map((r) => [r.attribute, r.association]));
        expect(byName.get('asNumber')).toBeCloseTo(byName.get('asCategory')!, 9);
      }),
    );
  });

  it('puts the attribute that separates the populations most first', () => {
    const churned: PopulationRecord[] = [];
    const retained: PopulationRecord[] = [];
    for (let i = 0; i < 200; i++) {
      churned.push({ daysSinceOrder: 100 + (i % 40), basket: 40 + (i % 7), channel: i % 4 === 0 ? 'store' : 'web', plan: i % 2 ? 'x' : 'y' });
      retained.push({ daysSinceOrder: 20 + (i % 40), basket: 41 + (i % 7), channel: i % 4 === 0 ? 'web' : 'store', plan: i % 2 ? 'y' : 'x' });
    }
    const order = comparePopulations(churned, retained, [numeric('basket'), categorical('plan'), categorical('channel'), numeric('daysSinceOrder')]).map((r) => r.attribute);
    expect(order).toEqual(['daysSinceOrder', 'channel', 'basket', 'plan']);
  });

  it('counts missing values: left out of numeric statistics, their own category for categorical ones', () => {
    const a: PopulationRecord[] = [{ spend: 10, tier: 'gold' }, { spend: null, tier: null }, { spend: Number.NaN }, { spend: 30, tier: 'gold' }];
    const b: PopulationRecord[] = [{ spend: 20, tier: 'silver' }, { spend: 20, tier: 'silver' }];
    const result = comparePopulations(a, b, [numeric('spend'), categorical('tier')]);
    const spend = result.find((r) => r.attribute === 'spend') as NumericComparison;
    expect(spend.a).toMatchObject({ count: 2, missing: 2, mean: 20, median: 20 });
    const tier = result.find((r) => r.attribute === 'tier') as CategoricalComparison;
    expect(tier.categories.find((c) => c.value === null)).toMatchObject({ countA: 2, countB: 0, shareA: 0.5 });
  });

  it('keeps every measure in range: association and V in [0, 1], shares summing to 1', () => {
    const record = fc.record({ v: fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(null)), c: fc.constantFrom('a', 'b', 'c', null) });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 50 }), fc.array(record, { minLength: 1, maxLength: 50 }), (a, b) => {
        for (const r of comparePopulations(a, b, [numeric('v'), categorical('c')])) {
          if (!Number.isNaN(r.association)) {
            expect(r.association).toBeGreaterThanOrEqual(0);
            expect(r.association).toBeLessThanOrEqual(1 + 1e-12);
          }
          if (r.kind === 'categorical') {
            expect(r.categories.reduce((s, c) => s + c.shareA, 0)).toBeCloseTo(1, 12);
            expect(r.categories.reduce((s, c) => s + c.shareB, 0)).toBeCloseTo(1, 12);
          }
        }
      }),
    );
  });

  it('refuses an empty population', () => {
    expect(() => comparePopulations([], [{ x: 1 }], [numeric('x')])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
