/**
 * Nelder–Mead simplex minimisation (Nelder & Mead 1965; the coefficient choice and the shrink step as
 * in Lagarias et al. 1998, "Convergence properties of the Nelder–Mead simplex method in low
 * dimensions"). Derivative-free, which suits likelihoods written with log-gamma terms.
 *
 *   minimize(f, x0, options?) -> { x, value, iterations, evaluations, converged }
 *
 * Stops when both the spread of function values over the simplex is at most `valueTolerance` and the
 * simplex's largest extent along any coordinate is at most `pointTolerance` (scipy's fatol/xatol
 * rule), or after `maxIterations`. `restarts` re-runs the search from the best point with a fresh
 * simplex, which guards against the method's known habit of collapsing early on curved valleys.
 * Non-finite values of f count as +Infinity, so f may refuse points outside its domain.
 */

export interface MinimizeOptions {
  /** Edge length of the initial simplex along each coordinate; default 0.1 (0.1 × |x0ᵢ| when larger). */
  initialStep?: number;
  valueTolerance?: number;
  pointTolerance?: number;
  maxIterations?: number;
  /** Extra runs from the best point found; default 2. */
  restarts?: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

const REFLECT = 1;
const EXPAND = 2;
const CONTRACT = 0.5;
const SHRINK = 0.5;

export function minimize(f: (x: readonly number[]) => number, x0: readonly number[], options: MinimizeOptions = {}): MinimizeResult {
  const restarts = options.restarts ?? 2;
  let best = run(f, x0, options);
  let { iterations, evaluations } = best;
  for (let i = 0; i < restarts; i++) {
    const next = run(f, best.x, options);
    iterations += next.iterations;
    evaluations += next.evaluations;
    const gain = best.value - next.value;
    if (gain > 0) best = next;
    if (!(gain > (options.valueTolerance ?? 1e-10))) break;
  }
  return { ...best, iterations, evaluations };
}

function run(f: (x: readonly number[]) => number, x0: readonly number[], options: MinimizeOptions): MinimizeResult {
  const n = x0.length;
  const step = options.initialStep ?? 0.1;
  const valueTolerance = options.valueTolerance ?? 1e-10;
  const pointTolerance = options.pointTolerance ?? 1e-8;
  const maxIterations = options.maxIterations ?? 2000 * n;
  let evaluations = 0;
  const evaluate = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };

  const points: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] += Math.max(step, 0.1 * Math.abs(p[i]));
    points.push(p);
  }
  const values = points.map(evaluate);
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Array<number>(n);
  const along = (t: number): number[] => {
    const worst = points[order[n]];
    const p = new Array<number>(n);
    for (let j = 0; j < n; j++) p[j] = centroid[j] + t * (worst[j] - centroid[j]);
    return p;
  };

  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    order.sort((i, j) => values[i] - values[j]);
    if (spread(values, order) <= valueTolerance && extent(points, order) <= pointTolerance) {
      converged = true;
      break;
    }
    iterations++;
    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const p = points[order[k]];
      for (let j = 0; j < n; j++) centroid[j] += p[j] / n;
    }
    const worstIndex = order[n];
    const bestValue = values[order[0]];
    const secondWorstValue = values[order[n - 1]];
    const worstValue = values[worstIndex];

    const reflected = along(-REFLECT);
    const reflectedValue = evaluate(reflected);
    if (reflectedValue < bestValue) {
      const expanded = along(-REFLECT * EXPAND);
      const expandedValue = evaluate(expanded);
      if (expandedValue < reflectedValue) replace(worstIndex, expanded, expandedValue);
      else replace(worstIndex, reflected, reflectedValue);
      continue;
    }
    if (reflectedValue < secondWorstValue) {
      replace(worstIndex, reflected, reflectedValue);
      continue;
    }
    if (reflectedValue < worstValue) {
      const outside = along(-REFLECT * CONTRACT);
      const outsideValue = evaluate(outside);
      if (outsideValue <= reflectedValue) {
        replace(worstIndex, outside, outsideValue);
        continue;
      }
    } else {
      const inside = along(CONTRACT);
      const insideValue = evaluate(inside);
      if (insideValue < worstValue) {
        replace(worstIndex, inside, insideValue);
        continue;
      }
    }
    const bestPoint = points[order[0]];
    for (let k = 1; k <= n; k++) {
      const p = points[order[k]];
      for (let j = 0; j < n; j++) p[j] = bestPoint[j] + SHRINK * (p[j] - bestPoint[j]);
      values[order[k]] = evaluate(p);
    }
  }
  order.sort((i, j) => values[i] - values[j]);
  return { x: points[order[0]].slice(), value: values[order[0]], iterations, evaluations, converged };

  function replace(index: number, point: number[], value: number): void {
    points[index] = point;
    values[index] = value;
  }
}

function spread(values: readonly number[], order: readonly number[]): number {
  const lo = values[order[0]];
  const hi = values[order[order.length - 1]];
  if (hi === Infinity) return Infinity;
  return hi - lo;
}

function extent(points: readonly number[][], order: readonly number[]): number {
  const best = points[order[0]];
  let max = 0;
  for (let k = 1; k < order.length; k++) {
    const p = points[order[k]];
    for (let j = 0; j < best.length; j++) max = Math.max(max, Math.abs(p[j] - best[j]));
  }
  return max;
}
