import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { SqlExecutor } from '@cdp/kafka';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { LoyaltyConfig } from '../config';
import { nextDueAt } from '../domain';
import { AccountRepository, type StoredAccount } from '../persistence/account.repository';
import { ProgrammeRepository } from '../persistence/programme.repository';
import { AccountSession } from './account-session';
import { LoyaltyClock } from './clock';
import { LoyaltyOutbox } from './loyalty-outbox';
import { Transactions } from './transactions';

export interface DueWorkRun {
  /** When the run decided (the clock's time). */
  at: number;
  accounts: number;
  events: number;
}

/** Rounds per run: a run stops after this many full claims and leaves the rest to the next one. */
const MAX_ROUNDS = 1000;

/**
 * ProcessDueWork for every account whose `next_due_at` has come: activations at the end of the
 * return window, expiries, tier downgrades at the end of a review period, and the notifications
 * they call for. Each round claims a batch of due accounts with FOR UPDATE SKIP LOCKED, so the
 * instances of the service share the work without waiting on each other (or on a consumer holding
 * an account), decides in memory, appends, publishes through the outbox, and moves each account's
 * `next_due_at` on (always past now, so an account is never claimed twice for the same work).
 * Each instance runs it on an interval; `POST /v1/loyalty/due-work` runs it at once.
 */
@Injectable()
export class DueWorkService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('DueWork');
  private timer?: NodeJS.Timeout;
  private running: Promise<DueWorkRun> | null = null;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: LoyaltyConfig,
    private readonly tx: Transactions,
    private readonly programmes: ProgrammeRepository,
    private readonly accounts: AccountRepository,
    private readonly outbox: LoyaltyOutbox,
    @Inject(LoyaltyClock) private readonly clock: LoyaltyClock,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.loyalty.dueWorkIntervalMs;
    if (every <= 0) return;
    this.timer = setInterval(() => {
      this.run().catch((err: unknown) => this.log.error(`due work failed: ${err instanceof Error ? err.message : String(err)}`));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Processes everything due at the clock's time; a run already in progress on this instance is joined. */
  run(): Promise<DueWorkRun> {
    this.running ??= this.runRounds().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runRounds(): Promise<DueWorkRun> {
    const at = this.clock.now();
    const total: DueWorkRun = { at, accounts: 0, events: 0 };
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const { claimed, events } = await this.tx.run((tx) => this.round(tx, at));
      total.accounts += claimed;
      total.events += events;
      if (claimed < this.config.loyalty.dueWorkBatchSize) break;
    }
    if (total.events > 0) this.log.log(`due work at ${new Date(at).toISOString()}: ${total.accounts} account(s), ${total.events} event(s)`);
    return total;
  }

  private async round(tx: SqlExecutor, at: number): Promise<{ claimed: number; events: number }> {
    const claimed = await this.accounts.claimDue(tx, at, this.config.loyalty.dueWorkBatchSize);
    if (claimed.length === 0) return { claimed: 0, events: 0 };
    const byProgramme = new Map<string, Array<{ profileId: string; account: StoredAccount }>>();
    for (const c of claimed) byProgramme.set(c.programmeId, [...(byProgramme.get(c.programmeId) ?? []), { profileId: c.account.state.profileId, account: c.account }]);
    let events = 0;
    const untouched: Array<{ programmeId: string; profileId: string; nextDueAt: number | null }> = [];
    for (const [programmeId, list] of byProgramme) {
      const found = await this.programmes.find(tx, programmeId);
      if (!found) {
        for (const { profileId } of list) untouched.push({ programmeId, profileId, nextDueAt: null });
        continue;
      }
      const session = new AccountSession(tx, found.programme, this.accounts, at);
      for (const { profileId, account } of list) session.adopt(profileId, account);
      for (const { profileId } of list) {
        const decision = await session.run({ type: 'ProcessDueWork', profileId }, `due-work:${at}`);
        if (decision.ok) events += decision.events.length;
      }
      const changed = new Set(session.changed());
      for (const { profileId } of list) {
        if (!changed.has(profileId)) untouched.push({ programmeId, profileId, nextDueAt: nextDueAt(session.account(profileId)!, found.programme, at) });
      }
      await session.flush(this.outbox.encode);
    }
    await this.accounts.reschedule(tx, untouched);
    return { claimed: claimed.length, events };
  }
}
