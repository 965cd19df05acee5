export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** What the shared side answered: the tokens taken (0: refused) and what the bucket holds after. */
export interface BucketTake {
  granted: number;
  tokens: number;
}

/**
 * One token bucket per source, held where every instance sees it (Postgres). A bucket holds one second
 * of events and refills at the source's rate. `take` is atomic: when the bucket is not empty (at least
 * one token) it takes at least `need` tokens, going into debt if necessary, and up to `want` if that
 * many are left; an empty bucket gives nothing.
 */
export interface SharedTokenBuckets {
  take(sourceId: string, ratePerSecond: number, need: number, want: number): Promise<BucketTake>;
}

/** The rule `take` applies to a bucket holding `tokens` (after refilling). */
export function grantFrom(tokens: number, need: number, want: number): number {
  return tokens < 1 ? 0 : Math.max(need, Math.min(want, Math.floor(tokens)));
}

/** Tokens an instance takes from the shared bucket at a time, as a share of the rate (at least the request's need). */
const LEASE_SHARE = 0.05;
/** Leased tokens not used within this long are dropped, so an idle instance cannot save them up for a burst. */
const LEASE_TTL_MS = 1_000;
const MAX_SOURCES = 10_000;

interface Lease {
  /** Tokens taken from the shared bucket and not used yet. */
  available: number;
  expiresAt: number;
  /** The shared bucket was empty: nothing can be admitted before then (only time refills it). */
  refusedUntil: number;
  acquiring: Promise<void> | undefined;
}

/**
 * Per-source rate limits that hold across instances. The source's one token bucket lives in Postgres
 * (SharedTokenBuckets); an instance takes tokens from it in leases of 5% of the rate (or a request's
 * worth, if more) and admits requests from its lease in memory, so a busy source costs one statement
 * per lease, not one per request. A request is admitted whenever the bucket is not empty and takes
 * all the tokens it needs, going into debt if necessary: a batch larger than the per-second rate is
 * never refused forever, and the average rate still holds across all instances.
 *
 * What it costs in precision: leased tokens an instance does not use within a second are dropped
 * (a source just under its limit may see up to 5% per instance refused early); tokens leased up to a
 * second ago may still be spent (at most one lease per instance beyond the bucket).
 */
export class SharedRateLimiter {
  private readonly leases = new Map<string, Lease>();

  constructor(
    private readonly buckets: SharedTokenBuckets,
    private readonly now: () => number = Date.now,
  ) {}

  async take(sourceId: string, ratePerSecond: number, count: number): Promise<RateDecision> {
    for (;;) {
      const now = this.now();
      const lease = this.leaseOf(sourceId, now);
      if (lease.available >= count) {
        lease.available -= count;
        return { allowed: true };
      }
      if (now < lease.refusedUntil) return refused(lease.refusedUntil - now);
      // One lease request per source at a time; the others wait for it and look again.
      if (lease.acquiring) {
        await lease.acquiring;
        continue;
      }
      const need = count - lease.available;
      const want = Math.max(need, Math.ceil(ratePerSecond * LEASE_SHARE));
      let decision: RateDecision = { allowed: true };
      lease.acquiring = this.buckets.take(sourceId, ratePerSecond, need, want).then(({ granted, tokens }) => {
        if (granted === 0) {
          // Empty: it takes (1 - tokens) / rate seconds of refilling before a token is back.
          lease.refusedUntil = now + ((1 - tokens) / ratePerSecond) * 1000;
          decision = refused(lease.refusedUntil - now);
          return;
        }
        lease.available = lease.available + granted - count;
        lease.expiresAt = now + LEASE_TTL_MS;
      });
      try {
        await lease.acquiring;
      } finally {
        lease.acquiring = undefined;
      }
      return decision;
    }
  }

  private leaseOf(sourceId: string, now: number): Lease {
    let lease = this.leases.get(sourceId);
    if (!lease) {
      if (this.leases.size >= MAX_SOURCES) this.leases.clear();
      lease = { available: 0, expiresAt: 0, refusedUntil: 0, acquiring: undefined };
      this.leases.set(sourceId, lease);
    }
    if (now >= lease.expiresAt) lease.available = 0;
    return lease;
  }
}

function refused(waitMs: number): RateDecision {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}
