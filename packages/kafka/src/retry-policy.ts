import { isConnectionFailure, isTransactionConflict } from './sql';

export interface RetryPolicy {
  /** Handler attempts on a whole batch before it is split to isolate a poison message. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
  /** 0..1: share of each delay that is randomized, so restarted consumers do not retry in lockstep. */
  readonly jitter: number;
  /** Serialization failures / deadlocks re-run at once this many times before counting as a failure. */
  readonly maxConflictRetries: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  multiplier: 2,
  jitter: 0.2,
  maxConflictRetries: 10,
};

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...overrides };
  if (!(policy.maxAttempts >= 1) || !Number.isInteger(policy.maxAttempts)) throw new RangeError('maxAttempts must be an integer >= 1');
  if (!(policy.initialDelayMs >= 0) || !(policy.maxDelayMs >= policy.initialDelayMs)) throw new RangeError('delays must satisfy 0 <= initialDelayMs <= maxDelayMs');
  if (!(policy.multiplier >= 1)) throw new RangeError('multiplier must be >= 1');
  if (!(policy.jitter >= 0 && policy.jitter <= 1)) throw new RangeError('jitter must be within 0..1');
  return policy;
}

/**
 * Delay before retry number `retry` (1 = first retry): exponential, capped, with the jittered share
 * taken off the top so the cap is never exceeded.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, retry - 1);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** exponent);
  return Math.round(base * (1 - policy.jitter * random()));
}

/**
 * - conflict: serialization failure or deadlock; nothing was applied, run again at once.
 * - unavailable: the database (or broker) cannot be reached; never the message's fault, so it is
 *   retried without limit and never leads to dead-lettering.
 * - failure: anything else the handler threw; counted, and eventually isolates the message.
 */
export type FailureKind = 'conflict' | 'unavailable' | 'failure';

export function classifyFailure(err: unknown): FailureKind {
  if (isTransactionConflict(err)) return 'conflict';
  if (isConnectionFailure(err)) return 'unavailable';
  return 'failure';
}

/** Halves of a range, for bisecting a failing batch down to its poison message. */
export function splitRange<T>(items: readonly T[]): [T[], T[]] {
  const mid = Math.ceil(items.length / 2);
  return [items.slice(0, mid), items.slice(mid)];
}

/** A promise that resolves after `ms`, or as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
