import fc from 'fast-check';
import { hyp2f1, logBeta, logGamma, logSumExp } from './special-functions';

describe('logGamma', () => {
  it('gives ln((n-1)!) at the integers', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 170; n++) {
      expect(logGamma(n)).toBeCloseTo(logFactorial, 10);
      logFactorial += Math.log(n);
    }
  });

  it('gives ln(sqrt(pi)) at 1/2 and follows the reflection formula below it', () => {
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    // Γ(−1/2) = −2√π
    expect(logGamma(-0.5)).toBeCloseTo(Math.log(2 * Math.sqrt(Math.PI)), 13);
    // Γ(x) ≈ 1/x − γ near 0 (Euler–Mascheroni γ)
    expect(logGamma(1e-8)).toBeCloseTo(Math.log(1e8 - 0.5772156649), 8);
  });

  it('is infinite at the poles and finite for huge arguments', () => {
    expect(logGamma(0)).toBe(Infinity);
    expect(logGamma(-3)).toBe(Infinity);
    // Stirling: ln Γ(x) ≈ (x − 1/2) ln x − x + ln(2π)/2 + 1/(12x)
    const x = 1e6;
    expect(logGamma(x)).toBeCloseTo((x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x), 6);
  });

  it('satisfies Γ(x + 1) = x Γ(x)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), (x) => {
        expect(logGamma(x + 1)).toBeCloseTo(Math.log(x) + logGamma(x), 9);
      }),
    );
  });
});

describe('logBeta', () => {
  it('matches B(a, b) = (a−1)!(b−1)!/(a+b−1)! and is symmetric', () => {
    expect(Math.exp(logBeta(3, 4))).toBeCloseTo((2 * 6) / 720, 14);
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (a, b) => {
        expect(logBeta(a, b)).toBeCloseTo(logBeta(b, a), 9);
      }),
    );
  });
});

describe('logSumExp', () => {
  it('adds in log space without overflow', () => {
    expect(logSumExp(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 14);
    expect(logSumExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 10);
    expect(logSumExp(-Infinity, 7)).toBe(7);
  });
});

describe('hyp2f1', () => {
  it('reproduces closed forms', () => {
    for (const z of [0, 0.1, 0.5, 0.9, 0.99]) {
      // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(z === 0 ? 1 : -Math.log(1 - z) / z, 12);
      // ₂F₁(a, b; b; z) = (1 − z)^−a
      expect(hyp2f1(0.7, 2.3, 2.3, z)).toBeCloseTo(Math.pow(1 - z, -0.7), 10);
      // ₂F₁(1/2, 1; 3/2; −z²)… here with z ≥ 0: ₂F₁(1/2, 1; 3/2; z) = artanh(√z)/√z
      expect(hyp2f1(0.5, 1, 1.5, z)).toBeCloseTo(z === 0 ? 1 : Math.atanh(Math.sqrt(z)) / Math.sqrt(z), 10);
    }
  });

  it('terminates for a negative integer parameter (a polynomial)', () => {
    // ₂F₁(−2, b; c; z) = 1 − 2bz/c + b(b+1)z²/(c(c+1))
    const b = 1.5;
    const c = 2.5;
    const z = 0.4;
    expect(hyp2f1(-2, b, c, z)).toBeCloseTo(1 - (2 * b * z) / c + (b * (b + 1) * z * z) / (c * (c + 1)), 14);
  });

  it('refuses z outside [0, 1)', () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
