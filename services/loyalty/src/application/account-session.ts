import type { EncodedRecord, OutgoingEvent, SqlExecutor } from '@cdp/kafka';
import {
  type AccountState,
  activeBalance,
  decide,
  type DecideContext,
  type Decision,
  evolve,
  type LoyaltyCommand,
  type LoyaltyEvent,
  LoyaltyDomainError,
  nextDueAt,
  pendingBalance,
  type Programme,
} from '../domain';
import type { AccountRepository, AccountWrite } from '../persistence/account.repository';
import { newCode, newEventId } from './ids';
import { outgoingOf } from './ledger-records';
import { type Memberships, NO_MEMBERSHIPS } from './segment-memberships';

/**
 * One transaction's work on the accounts of one programme: accounts are locked and loaded (in bulk
 * with `load`, then one by one when a decision reads an account nobody expected, e.g. a referrer),
 * commands are decided and their events applied in memory, and `flush` appends every event with
 * multi-row inserts, updates the snapshots and returns the records to publish through the outbox.
 */
export class AccountSession {
  private readonly accounts = new Map<string, AccountState>();
  private readonly loadedVersion = new Map<string, number>();
  private readonly appended = new Map<string, LoyaltyEvent[]>();
  private readonly outgoing: OutgoingEvent[] = [];
  private readonly codeOwners = new Map<string, string>();
  private readonly issuedCodes: Array<{ code: string; profileId: string }> = [];
  memberships: Memberships = NO_MEMBERSHIPS;

  constructor(
    readonly tx: SqlExecutor,
    readonly programme: Programme,
    private readonly repository: AccountRepository,
    readonly now: number,
  ) {}

  /** Locks and loads the accounts not loaded yet (new members get an empty account). */
  async load(profileIds: readonly string[]): Promise<void> {
    const missing = profileIds.filter((id) => !this.accounts.has(id));
    if (missing.length === 0) return;
    const locked = await this.repository.lock(this.tx, this.programme.id, missing);
    for (const [profileId, stored] of locked) {
      this.accounts.set(profileId, stored.state);
      this.loadedVersion.set(profileId, stored.version);
    }
  }

  /** Takes over accounts the caller has locked and loaded already (the due-work claim). */
  adopt(profileId: string, stored: { state: AccountState; version: number }): void {
    this.accounts.set(profileId, stored.state);
    this.loadedVersion.set(profileId, stored.version);
  }

  /** The open account a profile's points live in (itself, or the survivor it was merged into), as far as loaded. */
  holder(profileId: string): AccountState | undefined {
    let account = this.accounts.get(profileId);
    for (let hops = 0; account && account.status.kind === 'merged' && hops < 100; hops += 1) account = this.accounts.get(account.status.into);
    return account;
  }

  /** Referral codes the coming decisions may look up (codes issued in this session are known anyway). */
  async loadReferralCodes(codes: readonly string[]): Promise<void> {
    const unknown = codes.filter((c) => !this.codeOwners.has(c));
    for (const [code, owner] of await this.repository.referralCodeOwners(this.tx, this.programme.id, unknown)) this.codeOwners.set(code, owner);
  }

  account(profileId: string): AccountState | undefined {
    return this.accounts.get(profileId);
  }

  /** Decides a command on the loaded accounts (loading what else it reads) and applies its events. */
  async run(command: LoyaltyCommand, cause: string | null): Promise<Decision> {
    const ctx = this.context();
    // Deciding is the way to learn which accounts a command reads (they can depend on the accounts'
    // contents): decide throws ACCOUNT_NOT_LOADED naming the next one, which is loaded (and locked)
    // before deciding again. Nearly every command reads only the accounts loaded up front.
    for (;;) {
      let decision: Decision;
      try {
        decision = decide(command, this.accounts, ctx);
      } catch (error) {
        if (error instanceof LoyaltyDomainError && error.code === 'ACCOUNT_NOT_LOADED' && error.profileId !== null && !this.accounts.has(error.profileId)) {
          await this.load([error.profileId]);
          continue;
        }
        throw error;
      }
      if (decision.ok) this.apply(decision.events, cause);
      return decision;
    }
  }

  private context(): DecideContext {
    return {
      programme: this.programme,
      now: this.now,
      newId: newEventId,
      newCode,
      lookups: {
        isInSegment: (p, s) => this.memberships.isInSegment(p, s),
        hasTag: (p, t) => this.memberships.hasTag(p, t),
        referralCodeOwner: (code) => this.codeOwners.get(code) ?? null,
      },
    };
  }

  private apply(events: readonly LoyaltyEvent[], cause: string | null): void {
    for (const event of events) {
      const profileId = event.data.profileId;
      const before = this.accounts.get(profileId);
      if (!before) throw new RangeError(`event ${event.id} for account ${profileId}, which was not loaded`);
      const after = evolve(before, event);
      this.accounts.set(profileId, after);
      const list = this.appended.get(profileId) ?? [];
      list.push(event);
      this.appended.set(profileId, list);
      const record = outgoingOf(event, after, this.programme, cause);
      if (record) this.outgoing.push(record);
      if (event.type === 'ReferralCodeIssued') {
        this.codeOwners.set(event.data.code, profileId);
        this.issuedCodes.push({ code: event.data.code, profileId });
      }
    }
  }

  /**
   * Writes what the session decided. Without `encode` it returns the records to publish, in decision
   * order (a Kafka batch emits them); with it, they are encoded and queued in the outbox by the same
   * statement that appends the events (one round trip for an API command).
   */
  async flush(encode?: (events: readonly OutgoingEvent[]) => Promise<EncodedRecord[]>): Promise<OutgoingEvent[]> {
    const writes: AccountWrite[] = [];
    for (const [profileId, events] of this.appended) {
      const after = this.accounts.get(profileId)!;
      writes.push({
        programmeId: this.programme.id,
        profileId,
        fromVersion: this.loadedVersion.get(profileId) ?? 0,
        events,
        after,
        activePoints: activeBalance(after),
        pendingPoints: pendingBalance(after),
        tier: after.tier.current,
        nextDueAt: nextDueAt(after, this.programme, this.now),
      });
    }
    await this.repository.append(this.tx, writes, encode ? await encode(this.outgoing) : []);
    await this.repository.insertReferralCodes(this.tx, this.programme.id, this.issuedCodes);
    return encode ? [] : this.outgoing;
  }

  /** Accounts the session changed, after its decisions. */
  changed(): string[] {
    return [...this.appended.keys()];
  }
}
