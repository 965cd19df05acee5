import { evolve, type TokenEvent, type TokenState } from '../domain/access-token';

interface Waiter {
  partition: number;
  offset: number;
  resolve: (seen: boolean) => void;
  timer: NodeJS.Timeout;
}

/**
 * The tokens of the platform as this process knows them, materialised from cdp.auth.tokens, with
 * the position reached in each partition. Lookups are in memory: checking a token costs no round
 * trip. `caughtUp` turns true once every partition has been read up to where it ended when the
 * process started (until then an unknown token may just not have been read yet).
 */
export class TokenRegistry {
  private readonly byId = new Map<string, TokenState>();
  private readonly idByHash = new Map<string, string>();
  private readonly positions = new Map<number, number>();
  private endsAtStart: ReadonlyMap<number, { low: number; high: number }> | undefined;
  private waiters: Waiter[] = [];

  apply(event: TokenEvent): void {
    const previous = this.byId.get(event.token.tokenId);
    const next = evolve(previous, event);
    if (previous && previous.tokenHash !== next.tokenHash) this.idByHash.delete(previous.tokenHash);
    this.byId.set(next.tokenId, next);
    this.idByHash.set(next.tokenHash, next.tokenId);
  }

  /** Everything before `nextOffset` in `partition` has been applied. */
  advance(partition: number, nextOffset: number): void {
    if (nextOffset <= (this.positions.get(partition) ?? 0)) return;
    this.positions.set(partition, nextOffset);
    const due = this.waiters.filter((w) => w.partition === partition && w.offset < nextOffset);
    if (due.length === 0) return;
    this.waiters = this.waiters.filter((w) => !due.includes(w));
    for (const waiter of due) {
      clearTimeout(waiter.timer);
      waiter.resolve(true);
    }
  }

  /** Where each partition began and ended when the process started reading. */
  startedAt(ends: ReadonlyMap<number, { low: number; high: number }>): void {
    this.endsAtStart = ends;
  }

  get caughtUp(): boolean {
    if (!this.endsAtStart) return false;
    for (const [partition, { low, high }] of this.endsAtStart) {
      // An empty partition has nothing to read. Otherwise its last message (offset high - 1) is
      // always there: compaction keeps the latest message of every key, and no tombstones are written.
      if (high > low && (this.positions.get(partition) ?? 0) < high) return false;
    }
    return true;
  }

  /** Lag behind the start-up end offsets, per partition, for the readiness report. */
  backlog(): Record<string, number> {
    const backlog: Record<string, number> = {};
    for (const [partition, { low, high }] of this.endsAtStart ?? []) {
      backlog[String(partition)] = high > low ? Math.max(0, high - (this.positions.get(partition) ?? 0)) : 0;
    }
    return backlog;
  }

  /** Resolves true once `offset` of `partition` has been applied, false after `timeoutMs`. */
  waitUntilSeen(partition: number, offset: number, timeoutMs: number): Promise<boolean> {
    if ((this.positions.get(partition) ?? 0) > offset) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        partition,
        offset,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  findByHash(tokenHash: string): TokenState | undefined {
    const id = this.idByHash.get(tokenHash);
    return id === undefined ? undefined : this.byId.get(id);
  }

  get(tokenId: string): TokenState | undefined {
    return this.byId.get(tokenId);
  }

  /** Every known token, newest first. */
  list(): TokenState[] {
    return [...this.byId.values()].sort((a, b) => b.createdAt - a.createdAt || a.tokenId.localeCompare(b.tokenId));
  }

  /** Settles every pending wait as "not seen" (shutdown). */
  close(): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.waiters = [];
  }
}
