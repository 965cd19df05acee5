import fc from 'fast-check';
import * as fs from 'node:fs';
import { expectedAverageSpend, fitGammaGamma, gammaGammaLogLikelihood, populationAverageSpend, type GammaGammaParams } from './gamma-gamma';
import { parseCdnowSample, readDataset } from './testing/datasets';
import { summarizeTransactions } from './transaction-summary';

/** Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value", p. 4. */
const NOTE: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };

describe('Gamma-Gamma', () => {
  describe('given the CDNOW sample calibration period (customers with repeat purchases and their mean repeat spend)', () => {
    const { customers } = summarizeTransactions(parseCdnowSample(readDataset('cdnow_sample.txt', __dirname, fs)), {
      calibrationEnd: Date.UTC(1997, 8, 30),
      unit: 'weeks',
    });
    const fit = fitGammaGamma(customers);

    it('when fitted, then it uses the 946 repeat customers and finds p = 6.25, q = 3.74, γ = 15.44 (Fader & Hardie 2013)', () => {
      expect(fit.customers).toBe(946);
      expect(fit.converged).toBe(true);
      expect(fit.p).toBeCloseTo(NOTE.p, 2);
      expect(fit.q).toBeCloseTo(NOTE.q, 2);
      expect(fit.gamma).toBeCloseTo(NOTE.gamma, 2);
    });

    it('then the fit is a maximum: moving any parameter lowers the likelihood', () => {
      for (const key of ['p', 'q', 'gamma'] as const) {
        for (const factor of [0.99, 1.01]) {
          expect(gammaGammaLogLikelihood({ ...fit, [key]: fit[key] * factor }, customers)).toBeLessThan(fit.logLikelihood);
        }
      }
    });

    it("then the first ten customers' expected spend matches Hardie's spreadsheet (note 025, as tested by lifetimes)", () => {
      const spreadsheet = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
      const estimates = customers.slice(0, 10).map((c) => expectedAverageSpend(NOTE, c));
      estimates.forEach((e, i) => expect(Math.abs(e - spreadsheet[i])).toBeLessThan(0.1));
      expect(customers.slice(0, 10).map((c) => expectedAverageSpend(fit, c))[0]).toBeCloseTo(24.65, 1);
    });
  });

  it('gives a customer without repeats the population mean pγ/(q − 1)', () => {
    expect(expectedAverageSpend(NOTE, { frequency: 0, monetaryValue: 0 })).toBeCloseTo(populationAverageSpend(NOTE), 12);
    expect(populationAverageSpend(NOTE)).toBeCloseTo((6.25 * 15.44) / 2.74, 12);
  });

  it('shrinks a customer\'s own mean towards the population mean, less the more transactions back it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.double({ min: 0.01, max: 1e4, noNaN: true }), (x, m) => {
        const population = populationAverageSpend(NOTE);
        const e = expectedAverageSpend(NOTE, { frequency: x, monetaryValue: m });
        expect(e).toBeGreaterThanOrEqual(Math.min(m, population) - 1e-9);
        expect(e).toBeLessThanOrEqual(Math.max(m, population) + 1e-9);
        const more = expectedAverageSpend(NOTE, { frequency: x + 1, monetaryValue: m });
        expect(Math.abs(more - m)).toBeLessThanOrEqual(Math.abs(e - m) + 1e-9);
      }),
    );
  });

  it('skips customers without repeat purchases when fitting and refuses a population of only those', () => {
    const repeaters = [
      { frequency: 2, monetaryValue: 20 },
      { frequency: 1, monetaryValue: 35 },
      { frequency: 4, monetaryValue: 12 },
      { frequency: 3, monetaryValue: 60 },
    ];
    const withOneTimers = [...repeaters, { frequency: 0, monetaryValue: 0 }, { frequency: 0, monetaryValue: 0 }];
    expect(gammaGammaLogLikelihood(NOTE, withOneTimers)).toBe(gammaGammaLogLikelihood(NOTE, repeaters));
    expect(fitGammaGamma(withOneTimers).customers).toBe(4);
    expect(() => fitGammaGamma([{ frequency: 0, monetaryValue: 0 }])).toThrow(expect.objectContaining({ code: 'EMPTY_INPUT' }));
  });
});
