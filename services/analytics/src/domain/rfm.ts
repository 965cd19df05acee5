/**
 * RFM scoring: recency, frequency and monetary value per customer, quintile scores, named segments
 * and value tiers.
 *
 *   scoreRfm(customers, { asOf, valueTiers? }) -> RfmScore[] (same order as the input)
 *   quintileScores(values)                     -> Uint8Array of scores 1–5, higher value → higher score
 *   segmentOf(r, f)                            -> RfmSegment from RFM_SEGMENT_GRID
 *   valueTierOf(r + f + m, valueTiers?)        -> 'high' | 'medium' | 'low'
 *
 * Input: `{ profileId, lastOrderAt, orders, spend }[]` (lastOrderAt in epoch ms or a Date; orders an
 * integer >= 1; spend finite, net of refunds if the caller wishes). `asOf` is the date the scores
 * describe; an order after it is an input error (query orders up to asOf).
 * - recencyDays = whole days from lastOrderAt to asOf (⌊Δ / 24 h⌋); frequency = orders; monetary = spend.
 * - Scores are quintiles over the customers scored together. Tie rule: a customer's score is
 *   1 + ⌊5 × (customers with a strictly lower value) / n⌋, i.e. ties share the lowest rank of their
 *   group. Equal values always get the same score; the lowest value always scores 1; with distinct
 *   values every score holds a fifth of the customers (±1). When one value is very common (most
 *   customers order once) its whole group scores low and some scores stay empty rather than
 *   splitting equal customers arbitrarily: a score s says that at least (s − 1)/5 of customers have
 *   strictly lower values, which is never overstated. Recency is scored on −recencyDays, so the
 *   most recent customers score 5.
 * - Segment: from the R and F scores by the usual 5×5 R-versus-F grid (RFM_SEGMENT_GRID, drawn in
 *   README.md). M does not enter the segment; it enters the value tier.
 * - Value tier: on the sum R + F + M (3–15): high at >= valueTiers.high (default 11), medium at
 *   >= valueTiers.medium (default 7), low below: the 3–15 range in thirds, the top one a value wider.
 */
import { invalidInput, invalidOption } from './model-error';

export interface RfmCustomer {
  profileId: string;
  /** Time of the customer's most recent order: epoch ms or a Date. */
  lastOrderAt: number | Date;
  /** Number of orders, >= 1. */
  orders: number;
  /** Total spend. */
  spend: number;
}

export const RFM_SEGMENTS = [
  'Champions',
  'Loyal',
  'Potential Loyalist',
  'New',
  'Promising',
  'Need Attention',
  'About to Sleep',
  'At Risk',
  "Can't Lose",
  'Hibernating',
] as const;

export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/** RFM_SEGMENT_GRID[r − 1][f − 1]: rows are the recency score 1–5, columns the frequency score 1–5. */
export const RFM_SEGMENT_GRID: readonly (readonly RfmSegment[])[] = [
  /* R=1 */ ['Hibernating', 'Hibernating', 'At Risk', 'At Risk', "Can't Lose"],
  /* R=2 */ ['Hibernating', 'Hibernating', 'At Risk', 'At Risk', "Can't Lose"],
  /* R=3 */ ['About to Sleep', 'About to Sleep', 'Need Attention', 'Loyal', 'Loyal'],
  /* R=4 */ ['Promising', 'Potential Loyalist', 'Potential Loyalist', 'Loyal', 'Loyal'],
  /* R=5 */ ['New', 'Potential Loyalist', 'Potential Loyalist', 'Champions', 'Champions'],
];

export type ValueTier = 'high' | 'medium' | 'low';

export interface ValueTierThresholds {
  /** Smallest R + F + M that is 'high'. */
  high: number;
  /** Smallest R + F + M that is 'medium'. */
  medium: number;
}

export const DEFAULT_VALUE_TIERS: ValueTierThresholds = { high: 11, medium: 7 };

export interface RfmOptions {
  asOf: number | Date;
  valueTiers?: ValueTierThresholds;
}

export interface RfmScore {
  profileId: string;
  recencyDays: number;
  frequency: number;
  monetary: number;
  /** Scores 1–5. */
  r: number;
  f: number;
  m: number;
  /** The three scores as digits, e.g. "545". */
  code: string;
  segment: RfmSegment;
  valueTier: ValueTier;
}

const DAY_MS = 86_400_000;

/** Score 1–5 per value: 1 + ⌊5 × (values strictly below it) / n⌋. */
export function quintileScores(values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const sorted = Float64Array.from(values);
  for (let i = 0; i < n; i++) if (Number.isNaN(sorted[i])) throw invalidInput(`values[${i}] is NaN`);
  sorted.sort();
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = 1 + Math.floor((5 * lo) / n);
  }
  return out;
}

export function segmentOf(r: number, f: number): RfmSegment {
  const row = RFM_SEGMENT_GRID[r - 1];
  const segment = row?.[f - 1];
  if (!segment) throw invalidInput(`RFM scores must be integers 1–5, got r=${r}, f=${f}`);
  return segment;
}

export function valueTierOf(scoreSum: number, thresholds: ValueTierThresholds = DEFAULT_VALUE_TIERS): ValueTier {
  if (scoreSum >= thresholds.high) return 'high';
  if (scoreSum >= thresholds.medium) return 'medium';
  return 'low';
}

export function scoreRfm(customers: readonly RfmCustomer[], options: RfmOptions): RfmScore[] {
  const asOf = typeof options.asOf === 'number' ? options.asOf : options.asOf.getTime();
  if (!Number.isFinite(asOf)) throw invalidOption('asOf must be a valid time');
  const tiers = options.valueTiers ?? DEFAULT_VALUE_TIERS;
  if (!(tiers.high > tiers.medium)) throw invalidOption('valueTiers.high must be above valueTiers.medium');
  const n = customers.length;
  const recency = new Float64Array(n);
  const negativeRecency = new Float64Array(n);
  const frequency = new Float64Array(n);
  const monetary = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = customers[i];
    const last = typeof c.lastOrderAt === 'number' ? c.lastOrderAt : c.lastOrderAt.getTime();
    if (!Number.isFinite(last)) throw invalidInput(`customers[${i}].lastOrderAt is not a valid time`);
    if (last > asOf) throw invalidInput(`customers[${i}].lastOrderAt is after asOf`);
    if (!Number.isInteger(c.orders) || c.orders < 1) throw invalidInput(`customers[${i}].orders must be an integer >= 1, got ${c.orders}`);
    if (!Number.isFinite(c.spend)) throw invalidInput(`customers[${i}].spend must be finite, got ${c.spend}`);
    recency[i] = Math.floor((asOf - last) / DAY_MS);
    negativeRecency[i] = -recency[i];
    frequency[i] = c.orders;
    monetary[i] = c.spend;
  }
  const r = quintileScores(negativeRecency);
  const f = quintileScores(frequency);
  const m = quintileScores(monetary);
  const out: RfmScore[] = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      profileId: customers[i].profileId,
      recencyDays: recency[i],
      frequency: frequency[i],
      monetary: monetary[i],
      r: r[i],
      f: f[i],
      m: m[i],
      code: `${r[i]}${f[i]}${m[i]}`,
      segment: RFM_SEGMENT_GRID[r[i] - 1][f[i] - 1],
      valueTier: valueTierOf(r[i] + f[i] + m[i], tiers),
    };
  }
  return out;
}
