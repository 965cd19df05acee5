import fc from 'fast-check';
import * as fs from 'node:fs';
import { expectedPurchases, fitBgNbd, type BgNbdParams } from './bg-nbd';
import { customerLifetimeValue, customerLifetimeValues, evaluateHoldout, holdoutAccuracy, monthlyRate, UNITS_PER_MONTH } from './clv';
import { expectedAverageSpend, fitGammaGamma, type GammaGammaParams } from './gamma-gamma';
import { parseCdnowSample, readDataset } from './testing/datasets';
import { summarizeTransactions } from './transaction-summary';

const BG: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const GG: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };

describe('CLV and holdout evaluation', () => {
  describe('given BG/NBD and Gamma-Gamma fitted on the CDNOW sample (weeks 1–39), holdout weeks 40–78', () => {
    const summary = summarizeTransactions(parseCdnowSample(readDataset('cdnow_sample.txt', __dirname, fs)), {
      calibrationEnd: Date.UTC(1997, 8, 30),
      holdoutEnd: Date.UTC(1998, 5, 30),
      unit: 'weeks',
    });
    const bgNbd = fitBgNbd(summary.customers);
    const gammaGamma = fitGammaGamma(summary.customers);

    it("reproduces the lifetimes documentation's customer_lifetime_value example (time=12, discount_rate=0.01)", () => {
      // lifetimes' Quickstart passes this weekly summary with its default daily step, so its "months"
      // are 30 model units long: unitsPerMonth = 30 reproduces 140.096218, 18.943466, 38.180575 ×3.
      const values = customerLifetimeValues(bgNbd, gammaGamma, summary.customers.slice(0, 5), { months: 12, discount: { monthly: 0.01 }, unitsPerMonth: 30 });
      const documented = [140.096218, 18.943466, 38.180575, 38.180575, 38.180575];
      values.forEach((v, i) => expect(Math.abs(v - documented[i])).toBeLessThan(0.05));
    });

    it('when the holdout is forecast, then the aggregate is within 15% of what the customers bought', () => {
      const { predicted, accuracy } = evaluateHoldout(bgNbd, summary.customers, summary.holdoutLength!);
      expect(predicted).toHaveLength(2357);
      expect(accuracy.totalActual).toBe(summary.customers.reduce((s, c) => s + c.holdoutFrequency, 0));
      expect(accuracy.ratio).toBeGreaterThan(0.85);
      expect(accuracy.ratio).toBeLessThan(1.15);
    });

    it('then per customer it beats repeating the calibration counts and even the true holdout mean', () => {
      const actual = summary.customers.map((c) => c.holdoutFrequency);
      const model = evaluateHoldout(bgNbd, summary.customers, summary.holdoutLength!).accuracy;
      const repeatCalibration = holdoutAccuracy(summary.customers.map((c) => c.frequency), actual);
      const mean = model.totalActual / actual.length;
      const oracleMean = holdoutAccuracy(actual.map(() => mean), actual);
      expect(model.mae).toBeLessThan(repeatCalibration.mae);
      expect(model.rmse).toBeLessThan(repeatCalibration.rmse);
      expect(model.mae).toBeLessThan(oracleMean.mae);
      expect(model.rmse).toBeLessThan(oracleMean.rmse);
    });
  });

  it('without discounting, sums to expected spend × expected purchases over the horizon', () => {
    const customer = { frequency: 2, recency: 30.43, T: 38.86, monetaryValue: 22.35 };
    const clv = customerLifetimeValue(BG, GG, customer, { months: 12, discount: { monthly: 0 }, unitsPerMonth: UNITS_PER_MONTH.weeks });
    expect(clv).toBeCloseTo(expectedAverageSpend(GG, customer) * expectedPurchases(BG, customer, 12 * 4.345), 10);
  });

  it('is positive, lower the higher the discount rate, and higher the longer the horizon', () => {
    const customers = fc.record({ x: fc.integer({ min: 0, max: 30 }), T: fc.double({ min: 1, max: 60, noNaN: true }), share: fc.double({ min: 0, max: 1, noNaN: true }), m: fc.double({ min: 1, max: 500, noNaN: true }) });
    fc.assert(
      fc.property(customers, fc.double({ min: 0, max: 0.2, noNaN: true }), fc.double({ min: 0.001, max: 0.2, noNaN: true }), ({ x, T, share, m }, rate, extra) => {
        const c = { frequency: x, recency: x === 0 ? 0 : T * share, T, monetaryValue: x === 0 ? 0 : m };
        const base = customerLifetimeValue(BG, GG, c, { discount: { monthly: rate }, unitsPerMonth: 4.345 });
        expect(base).toBeGreaterThan(0);
        expect(customerLifetimeValue(BG, GG, c, { discount: { monthly: rate + extra }, unitsPerMonth: 4.345 })).toBeLessThan(base);
        expect(customerLifetimeValue(BG, GG, c, { months: 24, discount: { monthly: rate }, unitsPerMonth: 4.345 })).toBeGreaterThan(base);
      }),
      { numRuns: 50 },
    );
  });

  it('turns an annual discount rate into the equivalent monthly one', () => {
    expect(monthlyRate({ annual: Math.pow(1.01, 12) - 1 })).toBeCloseTo(0.01, 12);
    expect(monthlyRate({ monthly: 0.02 })).toBe(0.02);
    expect(() => monthlyRate({ annual: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('computes MAE, RMSE, totals and their ratio', () => {
    expect(holdoutAccuracy([1, 2, 3], [1, 0, 6])).toEqual({ customers: 3, mae: 5 / 3, rmse: Math.sqrt(13 / 3), totalPredicted: 6, totalActual: 7, ratio: 6 / 7 });
    expect(() => holdoutAccuracy([1], [1, 2])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
