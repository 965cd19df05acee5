import fc from 'fast-check';
import * as fs from 'node:fs';
import { quintileScores, RFM_SEGMENT_GRID, RFM_SEGMENTS, scoreRfm, segmentOf, valueTierOf, type RfmCustomer } from './rfm';
import { parseCdnowMaster, readDataset } from './testing/datasets';

const DAY = 86_400_000;
const AS_OF = Date.UTC(2024, 5, 30);

describe('quintileScores', () => {
  it('given distinct values, then each score holds a fifth of the customers', () => {
    expect(Array.from(quintileScores([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it('given ties, then they share the lowest rank of their group (one-time buyers all score 1)', () => {
    // Six customers ordered once: none has a lower value, so all score 1; the customer with 2 orders
    // has 6 of 10 below, 1 + ⌊5 × 6/10⌋ = 4; scores 2 and 3 stay empty rather than split equals.
    expect(Array.from(quintileScores([1, 1, 1, 1, 1, 1, 2, 3, 4, 5]))).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
    expect(Array.from(quintileScores([7, 7, 7]))).toEqual([1, 1, 1]);
  });

  it('scores lie in 1–5, are equal for equal values and never decrease with the value', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 300 }), (values) => {
        const scores = quintileScores(values);
        for (let i = 0; i < values.length; i++) {
          expect(scores[i]).toBeGreaterThanOrEqual(1);
          expect(scores[i]).toBeLessThanOrEqual(5);
          for (let j = 0; j < values.length; j++) {
            if (values[i] === values[j]) expect(scores[i]).toBe(scores[j]);
            if (values[i] < values[j]) expect(scores[i]).toBeLessThanOrEqual(scores[j]);
          }
        }
        expect(scores[values.indexOf(Math.min(...values))]).toBe(1);
      }),
      { numRuns: 50 },
    );
  });

  it('with distinct values fills every score with n/5 customers, give or take one', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 5, maxLength: 500, comparator: 'SameValueZero' }), (values) => {
        const counts = [0, 0, 0, 0, 0];
        for (const s of quintileScores(values)) counts[s - 1]++;
        for (const c of counts) expect(Math.abs(c - values.length / 5)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('segments and value tiers', () => {
  it('maps the corners and centre of the R × F grid to the documented segments', () => {
    expect(segmentOf(5, 5)).toBe('Champions');
    expect(segmentOf(5, 1)).toBe('New');
    expect(segmentOf(4, 1)).toBe('Promising');
    expect(segmentOf(3, 3)).toBe('Need Attention');
    expect(segmentOf(3, 1)).toBe('About to Sleep');
    expect(segmentOf(4, 4)).toBe('Loyal');
    expect(segmentOf(4, 2)).toBe('Potential Loyalist');
    expect(segmentOf(2, 4)).toBe('At Risk');
    expect(segmentOf(1, 5)).toBe("Can't Lose");
    expect(segmentOf(1, 1)).toBe('Hibernating');
    expect(() => segmentOf(0, 3)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('uses every one of the ten segments somewhere in the grid', () => {
    expect(new Set(RFM_SEGMENT_GRID.flat())).toEqual(new Set(RFM_SEGMENTS));
    expect(RFM_SEGMENT_GRID.every((row) => row.length === 5)).toBe(true);
  });

  it('splits R + F + M into low (3–6), medium (7–10) and high (11–15)', () => {
    expect([3, 6, 7, 10, 11, 15].map((s) => valueTierOf(s))).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high']);
    expect(valueTierOf(9, { high: 9, medium: 5 })).toBe('high');
  });
});

describe('scoreRfm', () => {
  const customer = (profileId: string, daysAgo: number, orders: number, spend: number): RfmCustomer => ({
    profileId,
    lastOrderAt: AS_OF - daysAgo * DAY - 3_600_000,
    orders,
    spend,
  });

  it('given a recent frequent big spender and a lapsed one-time buyer, then they are a Champion and Hibernating', () => {
    const people = [
      customer('best', 1, 40, 5000),
      customer('p2', 10, 12, 900),
      customer('p3', 30, 6, 400),
      customer('p4', 90, 3, 150),
      customer('lapsed', 400, 1, 20),
    ];
    const [best, , , , lapsed] = scoreRfm(people, { asOf: AS_OF });
    expect(best).toMatchObject({ profileId: 'best', recencyDays: 1, r: 5, f: 5, m: 5, code: '555', segment: 'Champions', valueTier: 'high' });
    expect(lapsed).toMatchObject({ profileId: 'lapsed', recencyDays: 400, r: 1, f: 1, m: 1, code: '111', segment: 'Hibernating', valueTier: 'low' });
  });

  it('counts recency in whole days and scores the more recent customer higher', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 3000 }), { minLength: 2, maxLength: 60 }), (daysAgo) => {
        const scores = scoreRfm(daysAgo.map((d, i) => customer(`p${i}`, d, 1, 10)), { asOf: new Date(AS_OF) });
        scores.forEach((s, i) => expect(s.recencyDays).toBe(daysAgo[i]));
        const newest = daysAgo.indexOf(Math.min(...daysAgo));
        const oldest = daysAgo.indexOf(Math.max(...daysAgo));
        expect(scores[newest].r).toBeGreaterThan(scores[oldest].r);
        expect(scores[oldest].r).toBe(1);
      }),
    );
  });

  it('refuses orders after asOf and impossible order counts', () => {
    expect(() => scoreRfm([customer('future', -2, 1, 10)], { asOf: AS_OF })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => scoreRfm([customer('none', 2, 0, 10)], { asOf: AS_OF })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('scores the 23,570 CDNOW customers as of 1998-07-01 with a fifth of them in each monetary score', () => {
    const orders = parseCdnowMaster(readDataset('cdnow_master.txt', __dirname, fs));
    const byCustomer = new Map<string, RfmCustomer>();
    for (const o of orders) {
      const c = byCustomer.get(o.customerId) ?? { profileId: o.customerId, lastOrderAt: 0, orders: 0, spend: 0 };
      c.lastOrderAt = Math.max(c.lastOrderAt as number, o.at);
      c.orders++;
      c.spend += o.amount;
      byCustomer.set(o.customerId, c);
    }
    const scores = scoreRfm([...byCustomer.values()], { asOf: Date.UTC(1998, 6, 1) });
    expect(scores).toHaveLength(23570);
    const monetary = [0, 0, 0, 0, 0];
    for (const s of scores) monetary[s.m - 1]++;
    // Spend has few ties, so each monetary score holds close to a fifth; order counts tie heavily.
    for (const count of monetary) expect(Math.abs(count / scores.length - 0.2)).toBeLessThan(0.01);
    expect(scores.filter((s) => s.frequency === 1).every((s) => s.f === 1)).toBe(true);
  });
});
