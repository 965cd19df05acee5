import { TokenBucketRateLimiter } from './rate-limiter';

describe('TokenBucketRateLimiter', () => {
  let now = 0;
  const limiter = () => new TokenBucketRateLimiter(() => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('admits one second of events at once, then refuses with the seconds until a token is back', () => {
    const rl = limiter();
    expect(rl.take('s', 10, 10)).toEqual({ allowed: true });
    expect(rl.take('s', 10, 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 100;
    expect(rl.take('s', 10, 1)).toEqual({ allowed: true });
  });

  it('admits a batch larger than the rate and makes the source pay it back', () => {
    const rl = limiter();
    expect(rl.take('s', 10, 50)).toEqual({ allowed: true });
    expect(rl.take('s', 10, 1)).toEqual({ allowed: false, retryAfterSeconds: 5 });
    now += 4_000;
    expect(rl.take('s', 10, 1).allowed).toBe(false);
    now += 1_000;
    expect(rl.take('s', 10, 1).allowed).toBe(true);
  });

  it('keeps one bucket per source', () => {
    const rl = limiter();
    expect(rl.take('a', 1, 1).allowed).toBe(true);
    expect(rl.take('a', 1, 1).allowed).toBe(false);
    expect(rl.take('b', 1, 1).allowed).toBe(true);
  });
});
