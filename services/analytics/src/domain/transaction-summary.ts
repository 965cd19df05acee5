/**
 * Raw purchases -> the per-customer summary that BG/NBD and Gamma-Gamma are fitted on, built the way
 * Fader & Hardie's CDNOW analyses (and the `lifetimes` library's calibration_and_holdout_data) build it.
 *
 *   summarizeTransactions(transactions, { calibrationEnd, holdoutEnd?, unit, utcOffsetMinutes? })
 *     -> { customers: CustomerSummary[], unit, holdoutLength }
 *
 * Input: `{ customerId, at, amount }[]`, `at` in epoch milliseconds or a Date, in any order.
 * Rules:
 * - Time is counted in whole calendar days: all purchases of a customer on one day are one
 *   transaction whose value is the day's total (a basket split over several orders is one visit).
 *   The day boundary is UTC shifted by `utcOffsetMinutes` (the shop's zone; default 0).
 * - `calibrationEnd` and `holdoutEnd` name the last day of each period (any instant on that day).
 *   The calibration period is every day up to and including calibrationEnd's; the holdout period the
 *   days after it up to and including holdoutEnd's.
 * - Only customers whose first purchase falls in the calibration period are summarised (the cohort);
 *   later first-timers are not part of it and are left out.
 * - frequency x = number of purchase days after the first one (repeat transactions) in calibration;
 *   recency t_x = last purchase day − first purchase day; T = calibration end day − first purchase
 *   day; both in `unit`s (days, or weeks = days / 7, so fractional as in the paper: 38.86 weeks).
 * - monetaryValue = mean value of the repeat transactions (the first day is left out, as Gamma-Gamma
 *   requires), 0 when x = 0.
 * - holdoutFrequency = purchase days in the holdout period (all of them are repeats);
 *   holdoutMonetaryValue = their mean value (0 when none); holdoutLength = its length in `unit`s.
 * Customers come out ordered by customerId.
 */
import { invalidInput, invalidOption } from './model-error';

export interface Transaction {
  customerId: string;
  /** Epoch milliseconds or a Date. */
  at: number | Date;
  amount: number;
}

export type TimeUnit = 'days' | 'weeks';

export interface SummaryOptions {
  calibrationEnd: number | Date;
  holdoutEnd?: number | Date;
  unit: TimeUnit;
  /** Offset of the shop's local time from UTC, in minutes (e.g. 60 for CET); decides calendar days. */
  utcOffsetMinutes?: number;
}

export interface CustomerSummary {
  customerId: string;
  /** x: repeat purchase days in the calibration period. */
  frequency: number;
  /** t_x: time from the first to the last purchase day, in units. */
  recency: number;
  /** T: time from the first purchase day to the calibration end day, in units. */
  T: number;
  /** Mean value of the repeat transactions in calibration; 0 when frequency is 0. */
  monetaryValue: number;
  /** Purchase days in the holdout period (0 without one). */
  holdoutFrequency: number;
  /** Mean value of the holdout transactions; 0 when there are none. */
  holdoutMonetaryValue: number;
}

export interface TransactionSummary {
  customers: CustomerSummary[];
  unit: TimeUnit;
  /** Length of the holdout period in units; null without holdoutEnd. */
  holdoutLength: number | null;
}

const DAY_MS = 86_400_000;
export const DAYS_PER_UNIT: Readonly<Record<TimeUnit, number>> = { days: 1, weeks: 7 };

function epochMs(value: number | Date): number {
  return typeof value === 'number' ? value : value.getTime();
}

export function summarizeTransactions(transactions: readonly Transaction[], options: SummaryOptions): TransactionSummary {
  const daysPerUnit = DAYS_PER_UNIT[options.unit];
  if (daysPerUnit === undefined) throw invalidOption(`unit must be 'days' or 'weeks', got ${String(options.unit)}`);
  const offsetMs = (options.utcOffsetMinutes ?? 0) * 60_000;
  if (!Number.isFinite(offsetMs)) throw invalidOption('utcOffsetMinutes must be finite');
  const dayOf = (ms: number): number => Math.floor((ms + offsetMs) / DAY_MS);
  const calibrationEndMs = epochMs(options.calibrationEnd);
  if (!Number.isFinite(calibrationEndMs)) throw invalidOption('calibrationEnd must be a valid time');
  const calibrationEndDay = dayOf(calibrationEndMs);
  let holdoutEndDay: number | null = null;
  if (options.holdoutEnd !== undefined) {
    const holdoutEndMs = epochMs(options.holdoutEnd);
    if (!Number.isFinite(holdoutEndMs)) throw invalidOption('holdoutEnd must be a valid time');
    holdoutEndDay = dayOf(holdoutEndMs);
    if (holdoutEndDay < calibrationEndDay) throw invalidOption('holdoutEnd must not be before calibrationEnd');
  }
  const lastDay = holdoutEndDay ?? calibrationEndDay;

  // customer -> (day -> total spent that day)
  const byCustomer = new Map<string, Map<number, number>>();
  for (let i = 0; i < transactions.length; i++) {
    const t = transactions[i];
    const ms = epochMs(t.at);
    if (!Number.isFinite(ms)) throw invalidInput(`transactions[${i}].at is not a valid time`);
    if (!Number.isFinite(t.amount)) throw invalidInput(`transactions[${i}].amount is not a finite number`);
    if (typeof t.customerId !== 'string') throw invalidInput(`transactions[${i}].customerId must be a string`);
    const day = dayOf(ms);
    if (day > lastDay) continue;
    let days = byCustomer.get(t.customerId);
    if (!days) byCustomer.set(t.customerId, (days = new Map()));
    days.set(day, (days.get(day) ?? 0) + t.amount);
  }

  const customers: CustomerSummary[] = [];
  for (const [customerId, days] of byCustomer) {
    let first = Infinity;
    for (const day of days.keys()) if (day < first) first = day;
    if (first > calibrationEndDay) continue;
    let frequency = 0;
    let last = first;
    let repeatSpend = 0;
    let holdoutFrequency = 0;
    let holdoutSpend = 0;
    for (const [day, amount] of days) {
      if (day <= calibrationEndDay) {
        if (day === first) continue;
        frequency++;
        repeatSpend += amount;
        if (day > last) last = day;
      } else {
        holdoutFrequency++;
        holdoutSpend += amount;
      }
    }
    customers.push({
      customerId,
      frequency,
      recency: (last - first) / daysPerUnit,
      T: (calibrationEndDay - first) / daysPerUnit,
      monetaryValue: frequency > 0 ? repeatSpend / frequency : 0,
      holdoutFrequency,
      holdoutMonetaryValue: holdoutFrequency > 0 ? holdoutSpend / holdoutFrequency : 0,
    });
  }
  customers.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
  return {
    customers,
    unit: options.unit,
    holdoutLength: holdoutEndDay === null ? null : (holdoutEndDay - calibrationEndDay) / daysPerUnit,
  };
}
