import * as fs from 'node:fs';
import { parseCdnowMaster, parseCdnowSample, readDataset } from './testing/datasets';
import { summarizeTransactions, type Transaction } from './transaction-summary';

const day = (iso: string, hour = 12): number => Date.parse(`${iso}T${String(hour).padStart(2, '0')}:00:00Z`);
const CALIBRATION_END = Date.UTC(1997, 8, 30); // 1997-09-30: the first 39 weeks
const HOLDOUT_END = Date.UTC(1998, 5, 30); // 1998-06-30: weeks 40–78

describe('summarizeTransactions', () => {
  it('given same-day orders, when summarised, then they are one transaction worth the day total', () => {
    const transactions: Transaction[] = [
      { customerId: 'c1', at: day('2024-01-01', 9), amount: 10 },
      { customerId: 'c1', at: day('2024-01-08', 9), amount: 5 },
      { customerId: 'c1', at: day('2024-01-08', 18), amount: 7 },
      { customerId: 'c1', at: new Date(day('2024-01-15')), amount: 30 },
    ];
    const { customers } = summarizeTransactions(transactions, { calibrationEnd: day('2024-01-29'), unit: 'days' });
    expect(customers).toEqual([
      { customerId: 'c1', frequency: 2, recency: 14, T: 28, monetaryValue: 21, holdoutFrequency: 0, holdoutMonetaryValue: 0 },
    ]);
  });

  it('given a one-time buyer, then x = 0, t_x = 0 and monetary value 0 (the first purchase is not a repeat)', () => {
    const { customers } = summarizeTransactions([{ customerId: 'once', at: day('2024-01-01'), amount: 99 }], {
      calibrationEnd: day('2024-01-15'),
      unit: 'weeks',
    });
    expect(customers[0]).toMatchObject({ frequency: 0, recency: 0, T: 2, monetaryValue: 0 });
  });

  it('splits calibration and holdout at the end of the calibration day and leaves out later first-timers', () => {
    const transactions: Transaction[] = [
      { customerId: 'a', at: day('2024-01-01'), amount: 10 },
      { customerId: 'a', at: day('2024-01-31', 23), amount: 20 }, // last calibration day, late evening
      { customerId: 'a', at: day('2024-02-01', 0), amount: 40 },
      { customerId: 'a', at: day('2024-02-10'), amount: 60 },
      { customerId: 'a', at: day('2024-03-05'), amount: 1000 }, // after the holdout
      { customerId: 'late', at: day('2024-02-02'), amount: 5 },
    ];
    const summary = summarizeTransactions(transactions, { calibrationEnd: day('2024-01-31', 0), holdoutEnd: day('2024-02-29'), unit: 'days' });
    expect(summary.holdoutLength).toBe(29);
    expect(summary.customers).toEqual([
      { customerId: 'a', frequency: 1, recency: 30, T: 30, monetaryValue: 20, holdoutFrequency: 2, holdoutMonetaryValue: 50 },
    ]);
  });

  it('puts a purchase on the shop-local calendar day', () => {
    // 23:30 UTC on Jan 1 is Jan 2 in UTC+1, so the two orders are on different local days.
    const transactions: Transaction[] = [
      { customerId: 'x', at: day('2024-01-01', 10), amount: 1 },
      { customerId: 'x', at: Date.parse('2024-01-01T23:30:00Z'), amount: 2 },
    ];
    expect(summarizeTransactions(transactions, { calibrationEnd: day('2024-01-10'), unit: 'days' }).customers[0].frequency).toBe(0);
    expect(summarizeTransactions(transactions, { calibrationEnd: day('2024-01-10'), unit: 'days', utcOffsetMinutes: 60 }).customers[0].frequency).toBe(1);
  });

  it('refuses malformed transactions and a holdout that ends before calibration', () => {
    expect(() => summarizeTransactions([{ customerId: 'a', at: NaN, amount: 1 }], { calibrationEnd: 0, unit: 'days' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => summarizeTransactions([], { calibrationEnd: day('2024-02-01'), holdoutEnd: day('2024-01-01'), unit: 'days' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  describe('on CDNOW (calibration 1997-01-01..1997-09-30, weeks)', () => {
    const sample = summarizeTransactions(parseCdnowSample(readDataset('cdnow_sample.txt', __dirname, fs)), {
      calibrationEnd: CALIBRATION_END,
      holdoutEnd: HOLDOUT_END,
      unit: 'weeks',
    });

    it('summarises the 2,357 sample customers, 946 of them with repeat purchases (Fader & Hardie 2013, Gamma-Gamma note)', () => {
      expect(sample.customers).toHaveLength(2357);
      expect(sample.customers.filter((c) => c.frequency > 0)).toHaveLength(946);
      expect(sample.holdoutLength).toBe(39);
    });

    it('reproduces the first customer of the Fader, Hardie & Lee (2005) data: x = 2, t_x = 30.43, T = 38.86', () => {
      const first = sample.customers[0];
      expect(first.customerId).toBe('0001');
      expect(first.frequency).toBe(2);
      expect(first.recency).toBeCloseTo(30.43, 2);
      expect(first.T).toBeCloseTo(38.86, 2);
      // Every customer of the cohort bought first in 1997-Q1, so T lies between 26 and 39 weeks.
      for (const c of sample.customers) {
        expect(c.T).toBeGreaterThanOrEqual(26);
        expect(c.T).toBeLessThanOrEqual(38.86 + 1e-9);
        expect(c.recency).toBeLessThanOrEqual(c.T);
      }
    });

    it('summarises the master file: 23,570 customers of the 1997-Q1 cohort (shared/datasets README)', () => {
      const master = summarizeTransactions(parseCdnowMaster(readDataset('cdnow_master.txt', __dirname, fs)), {
        calibrationEnd: CALIBRATION_END,
        unit: 'weeks',
      });
      expect(master.customers).toHaveLength(23570);
    });
  });
});
