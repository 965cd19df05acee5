/**
 * Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, "The Gamma-Gamma Model of
 * Monetary Value"; after Colombo & Jiang 1999). A customer's transaction values are Gamma(p, ν) with
 * their own ν ~ Gamma(q, γ); spend is assumed independent of how often they buy.
 *
 *   fitGammaGamma(customers, options?)              -> { p, q, gamma, logLikelihood, customers, converged }
 *   gammaGammaLogLikelihood(params, customers)      -> Σ ln f(m_x | p, q, γ, x)
 *   expectedAverageSpend(params, customer)          -> E[M | p, q, γ, m_x, x], the customer's expected mean
 *                                                      transaction value (note eq. 5)
 *   populationAverageSpend(params)                  -> pγ / (q − 1), what a customer without repeats gets
 *
 * Input per customer: `{ frequency, monetaryValue }` = x repeat transactions and m_x their mean value
 * (transaction-summary.ts gives both). Fitting uses only customers with x > 0 and m_x > 0 (the note
 * fits the 946 CDNOW customers with repeat purchases); the others are skipped, and `customers` in the
 * result says how many were used. Maximum likelihood by Nelder–Mead over (ln p, ln q, ln γ), with
 * the log-gamma terms computed once per distinct x.
 *
 * The expectation is a weighted mean of the population mean pγ/(q−1) and the customer's own m_x,
 * the weight on m_x growing with x: px / (px + q − 1). It needs q > 1 (a finite population mean).
 */
import { ModelError, invalidInput } from './model-error';
import { minimize } from './nelder-mead';
import { logGamma } from './special-functions';

export interface GammaGammaCustomer {
  /** x: number of repeat transactions. */
  frequency: number;
  /** m_x: mean value of those transactions (0 when x = 0). */
  monetaryValue: number;
}

export interface GammaGammaParams {
  p: number;
  q: number;
  /** γ (called v in lifetimes). */
  gamma: number;
}

export interface GammaGammaFit extends GammaGammaParams {
  logLikelihood: number;
  /** Customers with x > 0 and m_x > 0 the model was fitted on. */
  customers: number;
  converged: boolean;
}

export interface GammaGammaFitOptions {
  /** Starting point; default p = q = 1, γ = the mean of m_x. */
  initial?: GammaGammaParams;
  maxIterations?: number;
}

function check(c: GammaGammaCustomer, i: number): void {
  if (!Number.isInteger(c.frequency) || c.frequency < 0) throw invalidInput(`customers[${i}].frequency must be a non-negative integer, got ${c.frequency}`);
  if (!Number.isFinite(c.monetaryValue)) throw invalidInput(`customers[${i}].monetaryValue must be finite, got ${c.monetaryValue}`);
}

/**
 * Usable customers grouped by x: every term of the log-likelihood but ln(γ + m_x·x) depends on the
 * customer only through x and Σ ln m_x, so an evaluation costs one log-gamma pair per distinct x
 * and one logarithm per customer.
 */
interface Columns {
  /** Number of usable customers. */
  n: number;
  distinctX: Float64Array;
  /** Customers per distinct x. */
  groupSize: Float64Array;
  /** Σ ln m_x per distinct x. */
  groupLogM: Float64Array;
  /** Per customer: x and x·m_x, ordered by group. */
  x: Float64Array;
  xm: Float64Array;
  meanM: number;
}

function usable(customers: readonly GammaGammaCustomer[]): Columns {
  const groups = new Map<number, number[]>();
  let n = 0;
  let meanM = 0;
  customers.forEach((c, i) => {
    check(c, i);
    if (!(c.frequency > 0 && c.monetaryValue > 0)) return;
    let group = groups.get(c.frequency);
    if (!group) groups.set(c.frequency, (group = []));
    group.push(c.monetaryValue);
    n++;
    meanM += (c.monetaryValue - meanM) / n;
  });
  const distinct = [...groups.keys()].sort((p, q) => p - q);
  const d: Columns = {
    n,
    distinctX: Float64Array.from(distinct),
    groupSize: new Float64Array(distinct.length),
    groupLogM: new Float64Array(distinct.length),
    x: new Float64Array(n),
    xm: new Float64Array(n),
    meanM,
  };
  let k = 0;
  distinct.forEach((x, g) => {
    const ms = groups.get(x)!;
    d.groupSize[g] = ms.length;
    for (const m of ms) {
      d.groupLogM[g] += Math.log(m);
      d.x[k] = x;
      d.xm[k++] = x * m;
    }
  });
  return d;
}

function logLikelihoodOf(params: GammaGammaParams, d: Columns): number {
  const { p, q, gamma } = params;
  if (!(p > 0 && q > 0 && gamma > 0)) return -Infinity;
  // ln f = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln γ + (px−1) ln m + px ln x − (px+q) ln(γ + m x)
  const constant = q * Math.log(gamma) - logGamma(q);
  let total = 0;
  for (let g = 0; g < d.distinctX.length; g++) {
    const px = p * d.distinctX[g];
    total += d.groupSize[g] * (logGamma(px + q) - logGamma(px) + constant + px * Math.log(d.distinctX[g])) + (px - 1) * d.groupLogM[g];
  }
  for (let i = 0; i < d.n; i++) total -= (p * d.x[i] + q) * Math.log(gamma + d.xm[i]);
  return total;
}

/** Σ ln f(m_x | p, q, γ, x) over the customers with x > 0 and m_x > 0 (note eq. 4). */
export function gammaGammaLogLikelihood(params: GammaGammaParams, customers: readonly GammaGammaCustomer[]): number {
  return logLikelihoodOf(params, usable(customers));
}

export function fitGammaGamma(customers: readonly GammaGammaCustomer[], options: GammaGammaFitOptions = {}): GammaGammaFit {
  const d = usable(customers);
  const n = d.n;
  if (n === 0) throw new ModelError('EMPTY_INPUT', 'Gamma-Gamma needs customers with repeat purchases (frequency > 0, monetaryValue > 0)');
  const start = options.initial ?? { p: 1, q: 1, gamma: d.meanM };
  const toParams = (v: readonly number[]): GammaGammaParams => ({ p: Math.exp(v[0]), q: Math.exp(v[1]), gamma: Math.exp(v[2]) });
  const objective = (v: readonly number[]): number => -logLikelihoodOf(toParams(v), d) / n;
  const x0 = [Math.log(start.p), Math.log(start.q), Math.log(start.gamma)];
  if (!Number.isFinite(objective(x0))) throw new ModelError('FIT_FAILED', 'the Gamma-Gamma likelihood is not finite at the starting point');
  const result = minimize(objective, x0, { initialStep: 0.5, valueTolerance: 1e-12, pointTolerance: 1e-9, maxIterations: options.maxIterations ?? 5000 });
  return { ...toParams(result.x), logLikelihood: -result.value * n, customers: n, converged: result.converged };
}

/** pγ / (q − 1): the mean transaction value across the population (q > 1). */
export function populationAverageSpend(params: GammaGammaParams): number {
  if (!(params.q > 1)) throw invalidInput(`the population mean spend needs q > 1, got ${params.q}`);
  return (params.p * params.gamma) / (params.q - 1);
}

/** E[M | p, q, γ, m_x, x] = p(γ + x m_x) / (px + q − 1); the population mean when x = 0. */
export function expectedAverageSpend(params: GammaGammaParams, customer: GammaGammaCustomer): number {
  const { p, q, gamma } = params;
  if (!(q > 1)) throw invalidInput(`the expected spend needs q > 1, got ${q}`);
  const x = customer.frequency;
  const m = x > 0 ? customer.monetaryValue : 0;
  return (p * (gamma + x * m)) / (p * x + q - 1);
}
