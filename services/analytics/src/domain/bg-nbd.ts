/**
 * BG/NBD: the beta-geometric / negative binomial model of repeat buying (Fader, Hardie & Lee 2005,
 * "Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science
 * 24(2):275–284). While alive a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after
 * each purchase they drop out with probability p ~ Beta(a, b).
 *
 *   fitBgNbd(customers, options?)                  -> { r, alpha, a, b, logLikelihood, customers, converged }
 *   bgNbdLogLikelihood(params, customers)          -> Σ ln L (paper eq. 6)
 *   probabilityAlive(params, customer)             -> P(alive | x, t_x, T) ∈ [0, 1], 1 when x = 0
 *   expectedPurchases(params, customer, t)         -> E[Y(t) | x, t_x, T], purchases in (T, T + t] (eq. 10)
 *   expectedPurchasesNewCustomer(params, t)        -> E[X(t)], purchases in (0, t] of a new customer (eq. 9)
 *
 * Input per customer: `{ frequency, recency, T }` = x repeat purchases, t_x the time of the last one
 * (0 when x = 0) and T the customer's age, all measured from the first purchase in one time unit (see
 * transaction-summary.ts). Parameters come out in that unit: α scales with it, r, a, b do not.
 *
 * Fitting: maximum likelihood by Nelder–Mead over (ln r, ln α, ln a, ln b), so every trial point is a
 * valid parameter set; identical (x, t_x, T) rows are weighted once, and the per-x log-gamma and
 * log-beta terms are computed once per distinct x, so a fit costs O(distinct rows) per evaluation.
 * The expectations use ₂F₁ after Euler's transformation ₂F₁(A, B; C; z) = (1 − z)^(C−A−B)
 * ₂F₁(C − A, C − B; C; z), which keeps the series' parameters small whatever x is (Fader & Hardie's
 * note "Overcoming the BG/NBD model's #NUM! error problem" makes the same move). Both need a ≠ 1 and
 * a + b + x > 1 (the series' third parameter must be positive), as the published fits have; outside
 * that they throw INVALID_INPUT.
 */
import { ModelError, invalidInput } from './model-error';
import { minimize } from './nelder-mead';
import { hyp2f1, logGamma, logSumExp } from './special-functions';

export interface BgNbdCustomer {
  /** x: number of repeat purchases. */
  frequency: number;
  /** t_x: time of the last repeat purchase since the first purchase (0 when x = 0). */
  recency: number;
  /** T: time since the first purchase (the customer's age at the end of the calibration period). */
  T: number;
}

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFit extends BgNbdParams {
  logLikelihood: number;
  /** Customers the model was fitted on. */
  customers: number;
  converged: boolean;
}

export interface BgNbdFitOptions {
  /** Starting point; default r = α = a = b = 1 with α scaled to the data's mean age. */
  initial?: BgNbdParams;
  maxIterations?: number;
}

/** Distinct (x, t_x, T) rows with their multiplicities, and the distinct x values they use. */
interface CompressedData {
  x: Float64Array;
  recency: Float64Array;
  age: Float64Array;
  weight: Float64Array;
  xIndex: Int32Array;
  distinctX: Float64Array;
  customers: number;
}

function checkCustomer(c: BgNbdCustomer, i: number): void {
  const { frequency: x, recency: tx, T } = c;
  if (!Number.isInteger(x) || x < 0) throw invalidInput(`customers[${i}].frequency must be a non-negative integer, got ${x}`);
  if (!Number.isFinite(tx) || tx < 0) throw invalidInput(`customers[${i}].recency must be a non-negative number, got ${tx}`);
  if (!Number.isFinite(T) || T < tx) throw invalidInput(`customers[${i}].T must be a number >= recency, got ${T}`);
}

function compress(customers: readonly BgNbdCustomer[]): CompressedData {
  const rows = new Map<string, number>();
  const xs: number[] = [];
  const txs: number[] = [];
  const ts: number[] = [];
  const ws: number[] = [];
  customers.forEach((c, i) => {
    checkCustomer(c, i);
    const key = `${c.frequency}|${c.recency}|${c.T}`;
    const row = rows.get(key);
    if (row !== undefined) {
      ws[row]++;
      return;
    }
    rows.set(key, xs.length);
    xs.push(c.frequency);
    txs.push(c.recency);
    ts.push(c.T);
    ws.push(1);
  });
  const distinct = [...new Set(xs)].sort((p, q) => p - q);
  const position = new Map(distinct.map((x, i) => [x, i]));
  return {
    x: Float64Array.from(xs),
    recency: Float64Array.from(txs),
    age: Float64Array.from(ts),
    weight: Float64Array.from(ws),
    xIndex: Int32Array.from(xs, (x) => position.get(x)!),
    distinctX: Float64Array.from(distinct),
    customers: customers.length,
  };
}

function logLikelihoodOf(p: BgNbdParams, d: CompressedData, perX: Float64Array, dropX: Float64Array): number {
  const { r, alpha, a, b } = p;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return -Infinity;
  const lgR = logGamma(r);
  const lgB = logGamma(b);
  const lgAB = logGamma(a + b);
  const base = r * Math.log(alpha) - lgR + lgAB - lgB;
  const logA = Math.log(a);
  for (let k = 0; k < d.distinctX.length; k++) {
    const x = d.distinctX[k];
    // ln[Γ(r+x) α^r / Γ(r)] + ln[B(a, b+x) / B(a, b)]
    perX[k] = base + logGamma(r + x) + logGamma(b + x) - logGamma(a + b + x);
    dropX[k] = x > 0 ? logA - Math.log(b + x - 1) : -Infinity;
  }
  let total = 0;
  for (let i = 0; i < d.x.length; i++) {
    const x = d.x[i];
    const k = d.xIndex[i];
    const stayed = -(r + x) * Math.log(alpha + d.age[i]);
    const dropped = dropX[k] === -Infinity ? -Infinity : dropX[k] - (r + x) * Math.log(alpha + d.recency[i]);
    total += d.weight[i] * (perX[k] + logSumExp(stayed, dropped));
  }
  return total;
}

/** Σ ln L(r, α, a, b | x, t_x, T) over the customers (Fader, Hardie & Lee 2005, eq. 6). */
export function bgNbdLogLikelihood(params: BgNbdParams, customers: readonly BgNbdCustomer[]): number {
  const d = compress(customers);
  return logLikelihoodOf(params, d, new Float64Array(d.distinctX.length), new Float64Array(d.distinctX.length));
}

export function fitBgNbd(customers: readonly BgNbdCustomer[], options: BgNbdFitOptions = {}): BgNbdFit {
  if (customers.length === 0) throw new ModelError('EMPTY_INPUT', 'BG/NBD needs at least one customer');
  const d = compress(customers);
  let meanAge = 0;
  for (let i = 0; i < d.age.length; i++) meanAge += (d.weight[i] * d.age[i]) / d.customers;
  const start = options.initial ?? { r: 1, alpha: Math.max(meanAge, 1e-3), a: 1, b: 1 };
  const perX = new Float64Array(d.distinctX.length);
  const dropX = new Float64Array(d.distinctX.length);
  const toParams = (v: readonly number[]): BgNbdParams => ({ r: Math.exp(v[0]), alpha: Math.exp(v[1]), a: Math.exp(v[2]), b: Math.exp(v[3]) });
  // Minimise the mean negative log-likelihood so that tolerances do not depend on the population size.
  const objective = (v: readonly number[]): number => -logLikelihoodOf(toParams(v), d, perX, dropX) / d.customers;
  const x0 = [Math.log(start.r), Math.log(start.alpha), Math.log(start.a), Math.log(start.b)];
  if (!Number.isFinite(objective(x0))) throw new ModelError('FIT_FAILED', 'the BG/NBD likelihood is not finite at the starting point');
  const result = minimize(objective, x0, { initialStep: 0.5, valueTolerance: 1e-12, pointTolerance: 1e-9, maxIterations: options.maxIterations ?? 5000 });
  const params = toParams(result.x);
  return { ...params, logLikelihood: -result.value * d.customers, customers: d.customers, converged: result.converged };
}

/** P(alive | x, t_x, T) = 1 / (1 + δ(x>0) · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) (paper eq. 13). */
export function probabilityAlive(params: BgNbdParams, customer: BgNbdCustomer): number {
  const { r, alpha, a, b } = params;
  const { frequency: x, recency: tx, T } = customer;
  if (x === 0) return 1;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in the next t units for a customer with this history
 * (paper eq. 10), with ₂F₁(r+x, b+x; a+b+x−1; z) replaced by its Euler transform.
 */
export function expectedPurchases(params: BgNbdParams, customer: BgNbdCustomer, t: number): number {
  const { r, alpha, a, b } = params;
  const { frequency: x, recency: tx, T } = customer;
  if (!(t >= 0)) throw invalidInput(`t must be >= 0, got ${t}`);
  if (t === 0) return 0;
  if (!(a + b + x > 1)) throw invalidInput(`expected purchases need a + b + x > 1, got a = ${a}, b = ${b}, x = ${x}`);
  const z = t / (alpha + T + t);
  const f = hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z);
  const alive = ((a + b + x - 1) / (a - 1)) * (1 - Math.pow(1 - z, a - 1) * f);
  if (x === 0) return alive;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return alive / (1 + Math.exp(logOdds));
}

/** E[X(t)]: expected repeat purchases in (0, t] for a customer who has just made a first purchase (paper eq. 9). */
export function expectedPurchasesNewCustomer(params: BgNbdParams, t: number): number {
  const { r, alpha, a, b } = params;
  if (!(t >= 0)) throw invalidInput(`t must be >= 0, got ${t}`);
  if (t === 0) return 0;
  if (!(a + b > 1)) throw invalidInput(`expected purchases need a + b > 1, got a = ${a}, b = ${b}`);
  const z = t / (alpha + t);
  const f = hyp2f1(a + b - 1 - r, a - 1, a + b - 1, z);
  return ((a + b - 1) / (a - 1)) * (1 - Math.pow(1 - z, a - 1) * f);
}
