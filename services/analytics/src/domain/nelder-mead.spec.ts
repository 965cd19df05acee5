import { minimize } from './nelder-mead';

describe('minimize (Nelder–Mead)', () => {
  it('finds the minimum of a shifted quadratic bowl', () => {
    const result = minimize((x) => (x[0] - 3) ** 2 + 10 * (x[1] + 1) ** 2 + 0.5 * (x[2] - 0.25) ** 2, [0, 0, 0]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(3, 5);
    expect(result.x[1]).toBeCloseTo(-1, 5);
    expect(result.x[2]).toBeCloseTo(0.25, 5);
    expect(result.value).toBeLessThan(1e-10);
  });

  it('follows the curved valley of the Rosenbrock function to (1, 1)', () => {
    const result = minimize((x) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2, [-1.2, 1]);
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
  });

  it('minimises the 4-dimensional Rosenbrock function', () => {
    const f = (x: readonly number[]): number => {
      let s = 0;
      for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
      return s;
    };
    const result = minimize(f, [-1, 0.5, -0.5, 1.5], { restarts: 5 });
    for (const xi of result.x) expect(xi).toBeCloseTo(1, 3);
  });

  it('treats non-finite values as walls and stays inside the domain', () => {
    // f(x) = x − ln x has its minimum at x = 1 and is undefined for x <= 0.
    const result = minimize((x) => x[0] - Math.log(x[0]), [5]);
    expect(result.x[0]).toBeCloseTo(1, 5);
  });

  it('reports non-convergence when the iteration budget is too small', () => {
    const result = minimize((x) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2, [-1.2, 1], { maxIterations: 5, restarts: 0 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(5);
  });
});
