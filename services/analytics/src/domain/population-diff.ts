/**
 * Diagnostic comparison of two populations (churned vs retained, members vs non-members, …) across
 * attributes, ranked by how strongly each attribute separates them.
 *
 *   comparePopulations(a, b, attributes) -> AttributeComparison[], strongest association first
 *
 * Input: two arrays of plain records (`{ [attribute]: number | string | boolean | null }`) and the
 * attributes to compare with their kind. Missing values (null, undefined, and for numeric attributes
 * anything that is not a finite number) are counted and, for numeric attributes, left out.
 *
 * Numeric attribute: per population count, mean, median and standard deviation (n − 1), then
 *   meanDifference = mean_A − mean_B, medianDifference likewise,
 *   cohensD = meanDifference / s_pooled, s_pooled² = ((n_A−1)s_A² + (n_B−1)s_B²) / (n_A+n_B−2)
 *   (0.2 small, 0.5 medium, 0.8 large by Cohen's conventions; NaN with fewer than 2 values in all).
 * Categorical attribute: per category (missing is its own category, value null) the count and share
 *   in each population and difference = share_A − share_B; then
 *   maxShareDifference = max |difference|,
 *   chiSquare = Pearson's χ² of the 2 × k table, cramersV = √(χ² / n) (for two populations
 *   min(rows, columns) − 1 = 1; 0 when only one category occurs).
 * Ranking: `association`, a common 0–1 scale for both kinds: |point-biserial correlation| between
 *   population membership and the value for numeric attributes, Cramér's V for categorical ones.
 *   For a yes/no attribute the two coincide (V = |φ| = |r_pb| of the 0/1 coding), so a numeric and
 *   a categorical difference rank fairly against each other. Ties and NaN (a side without values)
 *   sort by attribute name, NaN last.
 */
import { invalidInput } from './model-error';

export type AttributeValue = number | string | boolean | null | undefined;
export type PopulationRecord = Readonly<Record<string, AttributeValue>>;

export interface AttributeSpec {
  name: string;
  kind: 'numeric' | 'categorical';
}

export interface NumericSummary {
  count: number;
  missing: number;
  mean: number;
  median: number;
  sd: number;
}

export interface NumericComparison {
  attribute: string;
  kind: 'numeric';
  a: NumericSummary;
  b: NumericSummary;
  meanDifference: number;
  medianDifference: number;
  cohensD: number;
  association: number;
}

export interface CategoryShare {
  value: string | null;
  countA: number;
  countB: number;
  shareA: number;
  shareB: number;
  difference: number;
}

export interface CategoricalComparison {
  attribute: string;
  kind: 'categorical';
  /** Categories by descending |difference|. */
  categories: CategoryShare[];
  maxShareDifference: number;
  chiSquare: number;
  cramersV: number;
  association: number;
}

export type AttributeComparison = NumericComparison | CategoricalComparison;

export function comparePopulations(a: readonly PopulationRecord[], b: readonly PopulationRecord[], attributes: readonly AttributeSpec[]): AttributeComparison[] {
  if (a.length === 0 || b.length === 0) throw invalidInput('both populations need at least one record');
  const out = attributes.map((spec): AttributeComparison => {
    switch (spec.kind) {
      case 'numeric':
        return compareNumeric(spec.name, a, b);
      case 'categorical':
        return compareCategorical(spec.name, a, b);
      default: {
        const never: never = spec.kind;
        throw invalidInput(`attribute ${spec.name}: kind must be 'numeric' or 'categorical', got ${String(never)}`);
      }
    }
  });
  return out.sort((p, q) => {
    const pa = Number.isNaN(p.association) ? -1 : p.association;
    const qa = Number.isNaN(q.association) ? -1 : q.association;
    return qa - pa || (p.attribute < q.attribute ? -1 : p.attribute > q.attribute ? 1 : 0);
  });
}

function numericValues(records: readonly PopulationRecord[], name: string): { values: Float64Array; missing: number } {
  const values = new Float64Array(records.length);
  let n = 0;
  for (const r of records) {
    const v = r[name];
    if (typeof v === 'number' && Number.isFinite(v)) values[n++] = v;
  }
  return { values: values.subarray(0, n), missing: records.length - n };
}

function summarize(values: Float64Array, missing: number): NumericSummary & { sumSquares: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += (values[i] - mean) / (i + 1);
  let sumSquares = 0;
  for (let i = 0; i < n; i++) sumSquares += (values[i] - mean) ** 2;
  const sorted = Float64Array.from(values).sort();
  const median = n === 0 ? NaN : n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { count: n, missing, mean: n === 0 ? NaN : mean, median, sd: n > 1 ? Math.sqrt(sumSquares / (n - 1)) : NaN, sumSquares };
}

function compareNumeric(attribute: string, a: readonly PopulationRecord[], b: readonly PopulationRecord[]): NumericComparison {
  const va = numericValues(a, attribute);
  const vb = numericValues(b, attribute);
  const { sumSquares: ssA, ...sa } = summarize(va.values, va.missing);
  const { sumSquares: ssB, ...sb } = summarize(vb.values, vb.missing);
  const nA = sa.count;
  const nB = sb.count;
  const n = nA + nB;
  const meanDifference = sa.mean - sb.mean;
  const pooled = n > 2 ? Math.sqrt((ssA + ssB) / (n - 2)) : NaN;
  const cohensD = nA > 0 && nB > 0 ? (pooled > 0 ? meanDifference / pooled : meanDifference === 0 ? 0 : NaN) : NaN;
  // Point-biserial r = (mean_A − mean_B) · √(n_A n_B) / (n · s), s the SD of all values (divisor n).
  let association = NaN;
  if (nA > 0 && nB > 0) {
    const grand = (sa.mean * nA + sb.mean * nB) / n;
    const total = ssA + ssB + nA * (sa.mean - grand) ** 2 + nB * (sb.mean - grand) ** 2;
    const s = Math.sqrt(total / n);
    association = s > 0 ? (Math.abs(meanDifference) * Math.sqrt(nA * nB)) / (n * s) : 0;
  }
  return { attribute, kind: 'numeric', a: sa, b: sb, meanDifference, medianDifference: sa.median - sb.median, cohensD, association };
}

function categoryOf(v: AttributeValue): string | null {
  if (v === null || v === undefined) return null;
  return String(v);
}

function compareCategorical(attribute: string, a: readonly PopulationRecord[], b: readonly PopulationRecord[]): CategoricalComparison {
  const counts = new Map<string | null, [number, number]>();
  for (const [side, records] of [a, b].entries()) {
    for (const r of records) {
      const key = categoryOf(r[attribute]);
      let c = counts.get(key);
      if (!c) counts.set(key, (c = [0, 0]));
      c[side]++;
    }
  }
  const nA = a.length;
  const nB = b.length;
  const n = nA + nB;
  let chiSquare = 0;
  const categories: CategoryShare[] = [];
  for (const [value, [countA, countB]] of counts) {
    const column = countA + countB;
    const expectedA = (column * nA) / n;
    const expectedB = (column * nB) / n;
    chiSquare += (countA - expectedA) ** 2 / expectedA + (countB - expectedB) ** 2 / expectedB;
    categories.push({ value, countA, countB, shareA: countA / nA, shareB: countB / nB, difference: countA / nA - countB / nB });
  }
  categories.sort((p, q) => Math.abs(q.difference) - Math.abs(p.difference) || String(p.value).localeCompare(String(q.value)));
  const cramersV = counts.size > 1 ? Math.min(1, Math.sqrt(chiSquare / n)) : 0;
  return {
    attribute,
    kind: 'categorical',
    categories,
    maxShareDifference: categories.length > 0 ? Math.abs(categories[0].difference) : 0,
    chiSquare,
    cramersV,
    association: cramersV,
  };
}
