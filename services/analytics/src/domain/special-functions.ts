/**
 * Special functions the customer-base models need, in double precision:
 * - `logGamma(x)`  ln|Γ(x)| (Lanczos approximation, g = 7, 9 terms; relative error ≈ 1e-15 for x > 0,
 *                   reflection formula below 0.5).
 * - `logBeta(a, b)` ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a + b).
 * - `hyp2f1(a, b, c, z)` Gauss's hypergeometric function ₂F₁ by its power series, for 0 ≤ z < 1.
 * - `logSumExp(u, v)` ln(eᵘ + eᵛ) without overflow.
 * Ratios of gamma functions are always taken as differences of logGamma: Γ(r + x) overflows for the
 * purchase counts of heavy buyers, its logarithm does not.
 */
import { ModelError, invalidInput } from './model-error';

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** ln|Γ(x)|; +Infinity at the poles 0, −1, −2, … */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const y = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b) for a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln(eᵘ + eᵛ), exact when one of them is −Infinity. */
export function logSumExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  const m = u > v ? u : v;
  return m + Math.log(Math.exp(u - m) + Math.exp(v - m));
}

const HYP2F1_MAX_TERMS = 1_000_000;

/**
 * ₂F₁(a, b; c; z) = Σₙ (a)ₙ(b)ₙ / ((c)ₙ n!) zⁿ for 0 ≤ z < 1 and c > 0.
 * The series converges for |z| < 1 but slowly as z → 1; callers keep the parameters small (the BG/NBD
 * code applies Euler's transformation first), so a few thousand terms suffice in practice.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1)) throw invalidInput(`hyp2f1 needs 0 <= z < 1, got ${z}`);
  if (!(c > 0)) throw invalidInput(`hyp2f1 needs c > 0, got ${c}`);
  if (z === 0) return 1;
  const settled = Math.max(Math.abs(a), Math.abs(b), c);
  let term = 1;
  let sum = 1;
  for (let n = 0; n < HYP2F1_MAX_TERMS; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (term === 0) return sum;
    // Past the parameters the ratio of successive terms drifts monotonically towards z < 1, so the rest
    // of the series is bounded by a geometric tail with ratio max(ratio, z): stop when it is negligible.
    const bound = ratio > z ? ratio : z;
    if (n > settled && bound < 1 && Math.abs(term) * (bound / (1 - bound)) <= 1e-16 * Math.abs(sum)) return sum;
  }
  throw new ModelError('NOT_CONVERGED', `hyp2f1(${a}, ${b}; ${c}; ${z}) did not converge in ${HYP2F1_MAX_TERMS} terms`);
}
