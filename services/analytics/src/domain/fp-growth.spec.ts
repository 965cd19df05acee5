import fc from 'fast-check';
import * as fs from 'node:fs';
import { mineFrequentItemsets } from './fp-growth';
import { parseBaskets, readDataset } from './testing/datasets';

const ITEMS = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const baskets = fc.array(fc.subarray(ITEMS, { minLength: 0 }), { minLength: 1, maxLength: 40 });

function bruteForce(data: string[][], minCount: number, maxLength: number): Map<string, number> {
  const out = new Map<string, number>();
  const sets = data.map((b) => new Set(b));
  for (let mask = 1; mask < 1 << ITEMS.length; mask++) {
    const items = ITEMS.filter((_, i) => mask & (1 << i));
    if (items.length > maxLength) continue;
    const count = sets.filter((s) => items.every((x) => s.has(x))).length;
    if (count >= minCount) out.set(items.join(','), count);
  }
  return out;
}

describe('mineFrequentItemsets (FP-growth)', () => {
  it('finds exactly the itemsets a brute-force count finds, with their counts', () => {
    fc.assert(
      fc.property(baskets, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 7 }), (data, minCount, maxLength) => {
        const mined = mineFrequentItemsets(data, { minCount, maxLength });
        const got = new Map(mined.itemsets.map((s) => [[...s.items].sort().join(','), s.count]));
        expect(got).toEqual(bruteForce(data, minCount, maxLength));
      }),
    );
  });

  it('counts an item repeated within a basket once and looks counts up in any item order', () => {
    const mined = mineFrequentItemsets(
      [
        ['milk', 'milk', 'bread'],
        ['bread', 'milk'],
        ['bread', 'butter'],
      ],
      { minCount: 2 },
    );
    expect(mined.itemCounts.get('milk')).toBe(2);
    expect(mined.countOf(['milk', 'bread'])).toBe(2);
    expect(mined.countOf(['bread', 'milk'])).toBe(2);
    expect(mined.countOf(['butter'])).toBeUndefined();
  });

  it('turns minSupport into the smallest count with support >= minSupport', () => {
    const data = Array.from({ length: 30 }, (_, i) => (i < 3 ? ['x', 'y'] : ['y']));
    expect(mineFrequentItemsets(data, { minSupport: 0.1 }).minCount).toBe(3); // 0.1 × 30 = 3.0000000000000004
    expect(mineFrequentItemsets(data, { minSupport: 0.1 }).countOf(['x'])).toBe(3);
    expect(mineFrequentItemsets(data, { minSupport: 0.11 }).countOf(['x'])).toBeUndefined();
  });

  it('refuses empty input and thresholds outside their range', () => {
    expect(() => mineFrequentItemsets([], { minSupport: 0.1 })).toThrow(expect.objectContaining({ code: 'EMPTY_INPUT' }));
    expect(() => mineFrequentItemsets([['a']], { minSupport: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => mineFrequentItemsets([['a']], { minCount: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  describe('given the Groceries baskets (arules / Lantz, Machine Learning with R)', () => {
    const groceries = parseBaskets(readDataset('groceries.csv', __dirname, fs));

    it('reads 9,835 baskets of 169 distinct items; whole milk is in 2,513 of them, support 0.2555 (arules summary(Groceries))', () => {
      const mined = mineFrequentItemsets(groceries, { minSupport: 0.001 });
      expect(mined.basketCount).toBe(9835);
      expect(mined.itemCounts.size).toBe(169);
      expect(mined.itemCounts.get('whole milk')).toBe(2513);
      expect(mined.countOf(['whole milk'])! / mined.basketCount).toBeCloseTo(0.2555, 4);
      // summary(Groceries): the next most frequent items.
      expect(mined.itemCounts.get('other vegetables')).toBe(1903);
      expect(mined.itemCounts.get('rolls/buns')).toBe(1809);
      expect(mined.itemCounts.get('soda')).toBe(1715);
      expect(mined.itemCounts.get('yogurt')).toBe(1372);
    });
  });
});
