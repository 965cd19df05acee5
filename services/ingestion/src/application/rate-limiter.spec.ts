import { grantFrom, SharedRateLimiter, type BucketTake, type SharedTokenBuckets } from './rate-limiter';

/** The buckets as Postgres keeps them (RateBucketsRepository), in memory, on the test's clock; counts statements. */
class InMemoryBuckets implements SharedTokenBuckets {
  readonly state = new Map<string, { tokens: number; at: number }>();
  statements = 0;
  constructor(private readonly clock: () => number) {}

  async take(sourceId: string, rate: number, need: number, want: number): Promise<BucketTake> {
    this.statements++;
    const now = this.clock();
    const bucket = this.state.get(sourceId) ?? { tokens: rate, at: now };
    const tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    const granted = grantFrom(tokens, need, want);
    this.state.set(sourceId, { tokens: tokens - granted, at: now });
    return { granted, tokens: tokens - granted };
  }
}

describe('SharedRateLimiter', () => {
  let now: number;
  const clock = () => now;
  let buckets: InMemoryBuckets;

  beforeEach(() => {
    now = 1_000_000;
    buckets = new InMemoryBuckets(clock);
  });

  it('admits one second of events at once, then refuses with the seconds until a token is back', async () => {
    const rl = new SharedRateLimiter(buckets, clock);
    expect(await rl.take('s', 10, 10)).toEqual({ allowed: true });
    expect(await rl.take('s', 10, 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 100;
    expect(await rl.take('s', 10, 1)).toEqual({ allowed: true });
  });

  it('admits a batch larger than the rate and makes the source pay it back', async () => {
    const rl = new SharedRateLimiter(buckets, clock);
    expect(await rl.take('s', 10, 50)).toEqual({ allowed: true });
    expect(await rl.take('s', 10, 1)).toEqual({ allowed: false, retryAfterSeconds: 5 });
    now += 4_000;
    expect((await rl.take('s', 10, 1)).allowed).toBe(false);
    now += 1_000;
    expect((await rl.take('s', 10, 1)).allowed).toBe(true);
  });

  it('keeps one bucket per source', async () => {
    const rl = new SharedRateLimiter(buckets, clock);
    expect((await rl.take('a', 1, 1)).allowed).toBe(true);
    expect((await rl.take('a', 1, 1)).allowed).toBe(false);
    expect((await rl.take('b', 1, 1)).allowed).toBe(true);
  });

  it('holds the limit across instances: what one admitted, the other cannot admit again', async () => {
    const [a, b] = [new SharedRateLimiter(buckets, clock), new SharedRateLimiter(buckets, clock)];
    let admitted = 0;
    // Two instances taking turns for three seconds, 20 requests of 10 events each per second.
    for (let tick = 0; tick < 60; tick++) {
      for (const instance of [a, b]) if ((await instance.take('s', 100, 10)).allowed) admitted += 10;
      now += 50;
    }
    // One second in the bucket, then 100 per second, plus at most one unspent lease per instance.
    expect(admitted).toBeLessThanOrEqual(100 + 3 * 100 + 2 * 10);
    expect(admitted).toBeGreaterThanOrEqual(100 + 3 * 100 - 2 * 10);
  });

  it('admits from its lease in memory: a busy source costs one statement per 5% of its rate', async () => {
    const rl = new SharedRateLimiter(buckets, clock);
    for (let i = 0; i < 1_000; i++) expect((await rl.take('s', 100_000, 100)).allowed).toBe(true);
    // 100,000 events in leases of 5,000.
    expect(buckets.statements).toBe(20);
  });

  it('refuses in memory while the shared bucket is known to be empty', async () => {
    const rl = new SharedRateLimiter(buckets, clock);
    expect((await rl.take('s', 1, 1)).allowed).toBe(true);
    expect((await rl.take('s', 1, 1)).allowed).toBe(false);
    const statements = buckets.statements;
    expect(await rl.take('s', 1, 1)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(buckets.statements).toBe(statements);
  });

  it('drops a lease unused for a second, so an idle instance cannot save tokens up', async () => {
    const [a, b] = [new SharedRateLimiter(buckets, clock), new SharedRateLimiter(buckets, clock)];
    expect((await a.take('s', 100, 1)).allowed).toBe(true); // leases 5
    now += 1_000;
    expect((await b.take('s', 100, 100)).allowed).toBe(true); // the bucket refilled to 100 and b took them
    expect((await a.take('s', 100, 1)).allowed).toBe(false); // a's 4 leftover tokens are gone
  });

  it('asks the shared bucket once for concurrent requests of one source', async () => {
    const rl = new SharedRateLimiter(buckets, clock);
    const decisions = await Promise.all(Array.from({ length: 10 }, () => rl.take('s', 1_000, 5)));
    expect(decisions.every((d) => d.allowed)).toBe(true);
    expect(buckets.statements).toBe(1);
  });
});
