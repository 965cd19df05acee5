import { backoffDelay, classifyFailure, retryPolicy, splitRange } from './retry-policy';

describe('retry policy', () => {
  const policy = retryPolicy({ initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0 });

  it('backs off exponentially and never beyond the cap', () => {
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffDelay(policy, n))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('jitter only ever shortens a delay, so the cap holds', () => {
    const jittery = retryPolicy({ initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 });
    expect(backoffDelay(jittery, 20, () => 0)).toBe(1000);
    expect(backoffDelay(jittery, 20, () => 1)).toBe(500);
    expect(backoffDelay(jittery, 1, () => 0.5)).toBe(75);
  });

  it('rejects nonsensical settings', () => {
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => retryPolicy({ initialDelayMs: 500, maxDelayMs: 100 })).toThrow(RangeError);
    expect(() => retryPolicy({ jitter: 2 })).toThrow(RangeError);
  });

  it('retries serialization failures and deadlocks as conflicts, also behind wrappers', () => {
    expect(classifyFailure({ code: '40001' })).toBe('conflict');
    expect(classifyFailure(new Error('wrapped', { cause: { code: '40P01' } }))).toBe('conflict');
    expect(classifyFailure({ message: 'QueryFailedError', driverError: { code: '40001' } })).toBe('conflict');
  });

  it('treats an unreachable database as an outage, never as the message being poison', () => {
    expect(classifyFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('unavailable');
    expect(classifyFailure({ code: '57P01', message: 'terminating connection due to administrator command' })).toBe('unavailable');
    expect(classifyFailure(new Error('Connection terminated unexpectedly'))).toBe('unavailable');
  });

  it('counts anything else (bad data, bugs, constraint violations) as a failure', () => {
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe('failure');
    expect(classifyFailure({ code: '23505', message: 'duplicate key value violates unique constraint' })).toBe('failure');
  });

  it('bisects a failing range so a poison message is isolated in log2(n) steps', () => {
    expect(splitRange([1, 2, 3, 4, 5])).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    let range = Array.from({ length: 1000 }, (_, i) => i);
    let steps = 0;
    while (range.length > 1) {
      const [left, right] = splitRange(range);
      range = left.includes(613) ? left : right;
      steps++;
    }
    expect(range).toEqual([613]);
    expect(steps).toBe(10);
  });
});
