/**
 * Customer lifetime value from BG/NBD (how many purchases) and Gamma-Gamma (worth how much), and
 * holdout checks of the purchase forecasts.
 *
 *   customerLifetimeValue(bgNbd, gammaGamma, customer, options)   -> discounted value of the next `months`
 *   customerLifetimeValues(bgNbd, gammaGamma, customers, options) -> Float64Array, one per customer
 *   monthlyRate({ annual } | { monthly })                         -> the monthly discount rate
 *   predictHoldout(bgNbd, customers, holdoutLength)               -> Float64Array of E[Y(holdoutLength) | history]
 *   holdoutAccuracy(predicted, actual)                            -> { customers, mae, rmse, totalPredicted, totalActual, ratio }
 *   evaluateHoldout(bgNbd, customers, holdoutLength)              -> { predicted, accuracy }
 *
 * CLV is the discounted sum over months m = 1..M, as the `lifetimes` library's
 * customer_lifetime_value computes it:
 *
 *   CLV = Σₘ E[M | m_x, x] · (E[Y(m·k) | x, t_x, T] − E[Y((m−1)·k) | x, t_x, T]) / (1 + d)^m
 *
 * with k = model time units per month (`unitsPerMonth`: 4.345 for weeks, 30 for days, lifetimes'
 * factors), d the monthly discount rate (an annual rate D becomes (1 + D)^(1/12) − 1) and E[M] the
 * Gamma-Gamma expected spend per transaction. The purchases of month m are the increase of the
 * cumulative BG/NBD forecast over that month, so the months add up to E[Y(M·k)] when d = 0.
 *
 * Holdout: given customers summarised over a calibration period plus their purchase counts in the
 * holdout period right after it (transaction-summary.ts gives `holdoutFrequency` and
 * `holdoutLength`), compare the forecast E[Y(holdoutLength)] with what they did: per-customer MAE and
 * RMSE, the aggregate totals and their ratio predicted / actual (1 is a perfect aggregate forecast).
 */
import { expectedPurchases, type BgNbdCustomer, type BgNbdParams } from './bg-nbd';
import { expectedAverageSpend, type GammaGammaCustomer, type GammaGammaParams } from './gamma-gamma';
import { invalidInput, invalidOption } from './model-error';
import type { TimeUnit } from './transaction-summary';

export interface ClvCustomer extends BgNbdCustomer, GammaGammaCustomer {}

export type DiscountRate = { monthly: number } | { annual: number };

export interface ClvOptions {
  /** Horizon in months; default 12. */
  months?: number;
  /** Default { monthly: 0.01 }, lifetimes' default. */
  discount?: DiscountRate;
  /** Model time units per month: UNITS_PER_MONTH[unit] for the unit the models were fitted in. */
  unitsPerMonth: number;
}

/** lifetimes' month lengths: 30 days, 4.345 weeks. */
export const UNITS_PER_MONTH: Readonly<Record<TimeUnit, number>> = { days: 30, weeks: 4.345 };

export function monthlyRate(discount: DiscountRate): number {
  const rate = 'monthly' in discount ? discount.monthly : Math.pow(1 + discount.annual, 1 / 12) - 1;
  if (!(rate > -1) || !Number.isFinite(rate)) throw invalidOption(`discount rate must be finite and > -100%, got ${JSON.stringify(discount)}`);
  return rate;
}

function checkClvOptions(options: ClvOptions): { months: number; rate: number; k: number } {
  const months = options.months ?? 12;
  if (!Number.isInteger(months) || months < 1) throw invalidOption(`months must be a positive integer, got ${months}`);
  if (!(options.unitsPerMonth > 0)) throw invalidOption(`unitsPerMonth must be > 0, got ${options.unitsPerMonth}`);
  return { months, rate: monthlyRate(options.discount ?? { monthly: 0.01 }), k: options.unitsPerMonth };
}

function clvOf(bgNbd: BgNbdParams, gammaGamma: GammaGammaParams, customer: ClvCustomer, months: number, rate: number, k: number): number {
  const spend = expectedAverageSpend(gammaGamma, customer);
  let value = 0;
  let previous = 0;
  for (let m = 1; m <= months; m++) {
    const cumulative = expectedPurchases(bgNbd, customer, m * k);
    value += (spend * (cumulative - previous)) / Math.pow(1 + rate, m);
    previous = cumulative;
  }
  return value;
}

export function customerLifetimeValue(bgNbd: BgNbdParams, gammaGamma: GammaGammaParams, customer: ClvCustomer, options: ClvOptions): number {
  const { months, rate, k } = checkClvOptions(options);
  return clvOf(bgNbd, gammaGamma, customer, months, rate, k);
}

export function customerLifetimeValues(bgNbd: BgNbdParams, gammaGamma: GammaGammaParams, customers: readonly ClvCustomer[], options: ClvOptions): Float64Array {
  const { months, rate, k } = checkClvOptions(options);
  const out = new Float64Array(customers.length);
  for (let i = 0; i < customers.length; i++) out[i] = clvOf(bgNbd, gammaGamma, customers[i], months, rate, k);
  return out;
}

export interface HoldoutCustomer extends BgNbdCustomer {
  /** Purchases the customer made in the holdout period. */
  holdoutFrequency: number;
}

export interface HoldoutAccuracy {
  customers: number;
  /** Mean absolute error per customer. */
  mae: number;
  /** Root mean squared error per customer. */
  rmse: number;
  totalPredicted: number;
  totalActual: number;
  /** totalPredicted / totalActual (NaN when nothing was bought). */
  ratio: number;
}

export function predictHoldout(bgNbd: BgNbdParams, customers: readonly BgNbdCustomer[], holdoutLength: number): Float64Array {
  if (!(holdoutLength >= 0)) throw invalidOption(`holdoutLength must be >= 0, got ${holdoutLength}`);
  const out = new Float64Array(customers.length);
  for (let i = 0; i < customers.length; i++) out[i] = expectedPurchases(bgNbd, customers[i], holdoutLength);
  return out;
}

export function holdoutAccuracy(predicted: ArrayLike<number>, actual: ArrayLike<number>): HoldoutAccuracy {
  if (predicted.length !== actual.length) throw invalidInput(`predicted has ${predicted.length} values, actual ${actual.length}`);
  const n = predicted.length;
  if (n === 0) throw invalidInput('holdout accuracy needs at least one customer');
  let absolute = 0;
  let squared = 0;
  let totalPredicted = 0;
  let totalActual = 0;
  for (let i = 0; i < n; i++) {
    const error = predicted[i] - actual[i];
    absolute += Math.abs(error);
    squared += error * error;
    totalPredicted += predicted[i];
    totalActual += actual[i];
  }
  return { customers: n, mae: absolute / n, rmse: Math.sqrt(squared / n), totalPredicted, totalActual, ratio: totalActual === 0 ? NaN : totalPredicted / totalActual };
}

export function evaluateHoldout(
  bgNbd: BgNbdParams,
  customers: readonly HoldoutCustomer[],
  holdoutLength: number,
): { predicted: Float64Array; accuracy: HoldoutAccuracy } {
  const predicted = predictHoldout(bgNbd, customers, holdoutLength);
  return { predicted, accuracy: holdoutAccuracy(predicted, Float64Array.from(customers, (c) => c.holdoutFrequency)) };
}
