import fc from 'fast-check';
import * as fs from 'node:fs';
import {
  bgNbdLogLikelihood,
  expectedPurchases,
  expectedPurchasesNewCustomer,
  fitBgNbd,
  probabilityAlive,
  type BgNbdCustomer,
  type BgNbdParams,
} from './bg-nbd';
import { logBeta } from './special-functions';
import { parseCdnowSample, readDataset } from './testing/datasets';
import { summarizeTransactions } from './transaction-summary';

/** Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way", Marketing Science 24(2), p. 280. */
const PAPER: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

const history = fc
  .record({ x: fc.integer({ min: 0, max: 200 }), T: fc.double({ min: 0.01, max: 500, noNaN: true }), share: fc.double({ min: 0, max: 1, noNaN: true }) })
  .map(({ x, T, share }): BgNbdCustomer => ({ frequency: x, recency: x === 0 ? 0 : T * share, T }));
const params = fc.record({
  r: fc.double({ min: 0.01, max: 10, noNaN: true }),
  alpha: fc.double({ min: 0.1, max: 100, noNaN: true }),
  a: fc.double({ min: 0.05, max: 5, noNaN: true }).filter((a) => Math.abs(a - 1) > 1e-3),
  b: fc.double({ min: 0.5, max: 20, noNaN: true }),
}).filter((p) => p.a + p.b > 1.001);

describe('BG/NBD', () => {
  describe('given the CDNOW sample calibration period (2,357 customers, 39 weeks, unit weeks)', () => {
    const { customers } = summarizeTransactions(parseCdnowSample(readDataset('cdnow_sample.txt', __dirname, fs)), {
      calibrationEnd: Date.UTC(1997, 8, 30),
      unit: 'weeks',
    });
    const fit = fitBgNbd(customers);

    it('when fitted, then it finds the published MLE r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4 (Fader, Hardie & Lee 2005)', () => {
      expect(fit.converged).toBe(true);
      expect(fit.customers).toBe(2357);
      expect(fit.r).toBeCloseTo(PAPER.r, 3);
      expect(fit.alpha).toBeCloseTo(PAPER.alpha, 3);
      expect(fit.a).toBeCloseTo(PAPER.a, 3);
      expect(fit.b).toBeCloseTo(PAPER.b, 3);
      expect(fit.logLikelihood).toBeCloseTo(-9582.4, 1);
    });

    it('then the fit is a maximum: moving any parameter lowers the likelihood', () => {
      for (const key of ['r', 'alpha', 'a', 'b'] as const) {
        for (const factor of [0.99, 1.01]) {
          expect(bgNbdLogLikelihood({ ...fit, [key]: fit[key] * factor }, customers)).toBeLessThan(fit.logLikelihood);
        }
      }
    });

    it('then E[Y(39) | x = 2, t_x = 30.43, T = 38.86] = 1.226 (Hardie\'s BG/NBD spreadsheet, as tested by lifetimes)', () => {
      expect(expectedPurchases(fit, { frequency: 2, recency: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 3);
    });

    it('then a new customer\'s E[X(t)] matches the spreadsheet at t = 0.1429, 1, 3, 31.8571, 32, 78 weeks (lifetimes test suite)', () => {
      const published: Array<[number, number]> = [
        [0.1429, 0.0078],
        [1, 0.0532],
        [3, 0.1506],
        [31.8571, 1.0405],
        [32, 1.0437],
        [78, 1.8576],
      ];
      for (const [t, expected] of published) expect(Math.abs(expectedPurchasesNewCustomer(fit, t) - expected)).toBeLessThan(1e-3);
    });
  });

  it('computes the log-likelihood of a population as the sum over its customers (identical rows are merged)', () => {
    const people: BgNbdCustomer[] = [
      { frequency: 0, recency: 0, T: 38.86 },
      { frequency: 0, recency: 0, T: 38.86 },
      { frequency: 3, recency: 20, T: 30 },
      { frequency: 1, recency: 2, T: 32 },
    ];
    const separately = people.reduce((sum, c) => sum + bgNbdLogLikelihood(PAPER, [c]), 0);
    expect(bgNbdLogLikelihood(PAPER, people)).toBeCloseTo(separately, 9);
  });

  it('P(alive) is 1 for a customer without repeat purchases and within [0, 1] otherwise', () => {
    fc.assert(
      fc.property(params, history, (p, c) => {
        const alive = probabilityAlive(p, c);
        if (c.frequency === 0) expect(alive).toBe(1);
        expect(alive).toBeGreaterThanOrEqual(0);
        expect(alive).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('P(alive) falls the longer a repeat buyer has been silent', () => {
    fc.assert(
      fc.property(params, history, fc.double({ min: 0.1, max: 100, noNaN: true }), (p, c, more) => {
        fc.pre(c.frequency > 0);
        expect(probabilityAlive(p, { ...c, T: c.T + more })).toBeLessThanOrEqual(probabilityAlive(p, c));
      }),
    );
  });

  it('expected purchases are 0 at t = 0, grow with t, and never exceed what a surely-alive customer would buy', () => {
    fc.assert(
      fc.property(params, history, fc.double({ min: 0.1, max: 200, noNaN: true }), (p, c, t) => {
        const soon = expectedPurchases(p, c, t);
        const later = expectedPurchases(p, c, 2 * t);
        expect(expectedPurchases(p, c, 0)).toBe(0);
        expect(soon).toBeGreaterThanOrEqual(0);
        expect(later).toBeGreaterThanOrEqual(soon - 1e-9 * Math.max(1, soon));
        // While alive the expected rate is (r + x)/(α + T); dropping out can only lower the count.
        expect(soon).toBeLessThanOrEqual((((p.r + c.frequency) / (p.alpha + c.T)) * t) * (1 + 1e-9) + 1e-12);
      }),
    );
  });

  it('a customer seen at age 0 without repeats is a new customer: E[Y(t) | 0, 0, 0] = E[X(t)]', () => {
    for (const t of [1, 10, 52, 520]) {
      expect(expectedPurchases(PAPER, { frequency: 0, recency: 0, T: 0 }, t)).toBeCloseTo(expectedPurchasesNewCustomer(PAPER, t), 10);
    }
  });

  it('agrees with the model integrated numerically, from one-time buyers to heavy buyers whose gamma terms overflow', () => {
    // Given alive after x purchases by T: λ ~ Gamma(r + x, α + T), p ~ Beta(a, b + x), and
    // E[Y(t) | λ, p] = (1 − e^(−λpt))/p, so E[Y(t)] = P(alive) · E_p[(1 − ((α+T)/(α+T+pt))^(r+x)) / p].
    const integrated = (p: BgNbdParams, c: BgNbdCustomer, t: number): number => {
      const shape = p.r + c.frequency;
      const scale = p.alpha + c.T;
      const q = p.b + c.frequency;
      // Substituting p = u^(1/a) absorbs the p^(a−1) singularity; Simpson's rule over u.
      const steps = 400_000;
      const f = (u: number): number => {
        const prob = Math.pow(u, 1 / p.a);
        const inner = prob === 0 ? (shape * t) / scale : -Math.expm1(shape * Math.log(scale / (scale + prob * t))) / prob;
        return inner * Math.pow(1 - prob, q - 1);
      };
      let sum = f(0) + f(1);
      for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i / steps);
      const mean = sum / (3 * steps) / p.a / Math.exp(logBeta(p.a, q));
      return probabilityAlive(p, c) * mean;
    };
    for (const c of [
      { frequency: 0, recency: 0, T: 38.86 },
      { frequency: 2, recency: 30.43, T: 38.86 },
      { frequency: 50, recency: 35, T: 38.86 },
      { frequency: 5000, recency: 38.8, T: 38.86 },
    ]) {
      const closed = expectedPurchases(PAPER, c, 39);
      expect(Number.isFinite(closed)).toBe(true);
      expect(Math.abs(closed - integrated(PAPER, c, 39))).toBeLessThan(1e-4 * Math.max(1, closed));
    }
  });

  it('refuses to forecast outside the closed form\'s domain (a + b + x <= 1)', () => {
    expect(() => expectedPurchases({ r: 1, alpha: 1, a: 0.3, b: 0.5 }, { frequency: 0, recency: 0, T: 5 }, 10)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(expectedPurchases({ r: 1, alpha: 1, a: 0.3, b: 0.5 }, { frequency: 1, recency: 2, T: 5 }, 10)).toBeGreaterThan(0);
  });

  it('refuses impossible histories and empty populations', () => {
    expect(() => fitBgNbd([])).toThrow(expect.objectContaining({ code: 'EMPTY_INPUT' }));
    expect(() => fitBgNbd([{ frequency: 1, recency: 40, T: 39 }])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => fitBgNbd([{ frequency: 1.5, recency: 4, T: 39 }])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
