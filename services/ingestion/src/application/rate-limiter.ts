export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Per-source token buckets, in process: each instance enforces the full rate on its own, so N
 * instances behind a load balancer admit up to N times the rate (acceptable for a first increment;
 * documented in the README). A bucket holds one second of tokens. A request is admitted whenever
 * the bucket is not empty and takes all the tokens it needs, going into debt if necessary, so a
 * batch larger than the per-second rate is never refused forever and the average rate still holds.
 */
export class TokenBucketRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, ratePerSecond: number, count: number): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: ratePerSecond, updatedAt: now };
    bucket.tokens = Math.min(ratePerSecond, bucket.tokens + ((now - bucket.updatedAt) / 1000) * ratePerSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond)) };
    bucket.tokens -= count;
    return { allowed: true };
  }
}
