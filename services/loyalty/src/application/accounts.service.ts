import { Inject, Injectable } from '@nestjs/common';
import {
  type AccountState,
  type AccountSummary,
  applyEvents,
  balanceChange,
  decide,
  emptyAccount,
  findRedemption,
  type LedgerEvent,
  type LoyaltyCommand,
  type Programme,
  type Redemption,
  type Rejection,
  summarize,
} from '../domain';
import { AccountRepository } from '../persistence/account.repository';
import { CouponPoolRepository } from '../persistence/coupon-pool.repository';
import { ProgrammeRepository } from '../persistence/programme.repository';
import { AccountSession } from './account-session';
import { LoyaltyClock } from './clock';
import { newCode, newEventId } from './ids';
import { LoyaltyOutbox } from './loyalty-outbox';
import { LoyaltyError, REJECTION_STATUS } from './loyalty.error';
import { NO_MEMBERSHIPS, SegmentMembershipLookup } from './segment-memberships';
import { Transactions } from './transactions';

export interface HistoryItem {
  seq: number;
  id: string;
  type: LedgerEvent['type'];
  occurredAt: number;
  /** Signed change of the active and pending balances. */
  change: { active: number; pending: number };
  data: LedgerEvent['data'];
}

const CURSOR = /^(-?\d+)\.(\d+)$/;

export function rejectionError(rejection: Rejection): LoyaltyError {
  return new LoyaltyError(rejection.code, rejection.message, REJECTION_STATUS[rejection.code]);
}

/**
 * A member's account over HTTP: summary and history (reads), and the commands members and
 * operators give (redeem, adjust, referral codes). Each command runs in one transaction that locks
 * the account row first (SELECT ... FOR UPDATE), so concurrent commands on one account queue and
 * each decides on the state the previous one left: a balance never goes negative, however many
 * redemptions race. Events go through the outbox in the same transaction.
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly tx: Transactions,
    private readonly programmes: ProgrammeRepository,
    private readonly accounts: AccountRepository,
    private readonly coupons: CouponPoolRepository,
    private readonly memberships: SegmentMembershipLookup,
    private readonly outbox: LoyaltyOutbox,
    @Inject(LoyaltyClock) private readonly clock: LoyaltyClock,
  ) {}

  /**
   * The account as of now. Activations and expiries that are due but not yet recorded by the
   * scheduler are applied to the answer (not stored), so a member never sees points that expired.
   */
  async summary(programmeId: string, profileId: string, withinDays?: number): Promise<AccountSummary> {
    const { programme } = await this.programmes.get(this.tx.db, programmeId);
    const stored = await this.accounts.read(this.tx.db, programmeId, profileId);
    const now = this.clock.now();
    return summarize(asOf(stored?.state ?? emptyAccount(programmeId, profileId), programme, now), programme, now, withinDays);
  }

  async history(programmeId: string, profileId: string, limit: number, cursor: string | null): Promise<{ items: HistoryItem[]; nextCursor: string | null }> {
    await this.programmes.get(this.tx.db, programmeId);
    let after: [number, number] | null = null;
    if (cursor) {
      const m = CURSOR.exec(cursor);
      if (!m) throw new LoyaltyError('INVALID_CURSOR', 'the cursor is not one this history gave out', 400, { field: 'cursor' });
      after = [Number(m[1]), Number(m[2])];
    }
    const rows = await this.accounts.history(this.tx.db, programmeId, profileId, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ seq, entry }) => ({ seq, id: entry.id, type: entry.type, occurredAt: entry.occurredAt, change: balanceChange(entry), data: entry.data })),
      nextCursor: rows.length > limit && last ? `${last.entry.occurredAt}.${last.seq}` : null,
    };
  }

  /** Spends points on a reward. `created` is false when the idempotency key was used before: the first outcome is returned. */
  async redeem(programmeId: string, profileId: string, rewardId: string, idempotencyKey: string): Promise<{ created: boolean; redemption: Redemption | null; summary: AccountSummary }> {
    return this.command(programmeId, profileId, async (session, programme) => {
      const reward = programme.rewards.find((r) => r.id === rewardId);
      const pool = reward?.grant.kind === 'coupon' && reward.grant.codes.source === 'pool' ? reward.grant.codes.poolId : null;
      const reservedCode = pool ? await this.coupons.reserve(session.tx, programmeId, pool) : null;
      session.memberships = await this.memberships.prefetch(programme, [profileId]);
      const decision = await this.decideOrThrow(session, { type: 'RedeemReward', profileId, rewardId, idempotencyKey, reservedCode }, `redemption:${idempotencyKey}`);
      const redeemed = decision.find((e) => e.type === 'PointsRedeemed');
      if (redeemed?.type === 'PointsRedeemed') {
        const grant = redeemed.data.redemption.grant;
        if (pool && reservedCode && grant.kind === 'coupon' && grant.code === reservedCode) {
          await this.coupons.claim(session.tx, programmeId, pool, reservedCode, redeemed.data.profileId, redeemed.data.redemption.redemptionId);
        }
        return { created: true, redemption: redeemed.data.redemption };
      }
      const holder = session.holder(profileId);
      return { created: false, redemption: holder ? findRedemption(holder, idempotencyKey) : null };
    });
  }

  /** An operator's correction. `created` is false when the adjustment id was used before. */
  async adjust(programmeId: string, profileId: string, input: { adjustmentId: string; points: number; reason: string; actor: string }): Promise<{ created: boolean; entry: LedgerEvent | null; summary: AccountSummary }> {
    return this.command(programmeId, profileId, async (session) => {
      const events = await this.decideOrThrow(session, { type: 'AdjustPoints', profileId, ...input }, `adjustment:${input.adjustmentId}`);
      const entry = events.find((e): e is LedgerEvent => e.type === 'PointsAdjusted') ?? null;
      return { created: entry !== null, entry };
    });
  }

  /** The member's referral code, issued on first request. */
  async referralCode(programmeId: string, profileId: string): Promise<{ created: boolean; code: string; summary: AccountSummary }> {
    return this.command(programmeId, profileId, async (session) => {
      const events = await this.decideOrThrow(session, { type: 'IssueReferralCode', profileId }, `referral-code:${profileId}`);
      return { created: events.length > 0, code: session.holder(profileId)?.referral.code ?? '' };
    });
  }

  /** Links the member to the referrer whose code they give (before their first order). */
  async applyReferral(programmeId: string, profileId: string, code: string): Promise<{ created: boolean; referrerProfileId: string | null; summary: AccountSummary }> {
    return this.command(programmeId, profileId, async (session) => {
      await session.loadReferralCodes([code.trim()]);
      const events = await this.decideOrThrow(session, { type: 'ApplyReferralCode', profileId, code, eventId: null, occurredAt: session.now }, `referral:${profileId}`);
      return { created: events.length > 0, referrerProfileId: session.holder(profileId)?.referral.referredBy?.profileId ?? null };
    });
  }

  private async decideOrThrow(session: AccountSession, command: LoyaltyCommand, cause: string) {
    const decision = await session.run(command, cause);
    if (!decision.ok) throw rejectionError(decision.rejection);
    return decision.events;
  }

  /**
   * One command in its own transaction: lock (with the programme, in one round trip), decide,
   * append with the outbox (another), commit. The answer carries the account's summary after it.
   */
  private command<T extends object>(programmeId: string, profileId: string, work: (session: AccountSession, programme: Programme) => Promise<T>): Promise<T & { summary: AccountSummary }> {
    return this.tx.run(async (tx) => {
      const locked = await this.accounts.lockWithProgramme(tx, programmeId, [profileId], this.programmes.cachedVersion(programmeId));
      if (!locked) throw new LoyaltyError('PROGRAMME_NOT_FOUND', `there is no programme ${programmeId}`, 404);
      const { programme, active } = this.programmes.fromRow(locked.programme);
      if (!active) throw new LoyaltyError('PROGRAMME_INACTIVE', `programme ${programmeId} is not active`, 409);
      const session = new AccountSession(tx, programme, this.accounts, this.clock.now());
      for (const [id, stored] of locked.accounts) session.adopt(id, stored);
      const result = await work(session, programme);
      await session.flush(this.outbox.encode);
      const holder = session.holder(profileId) ?? emptyAccount(programmeId, profileId);
      return { ...result, summary: summarize(holder, programme, session.now) };
    });
  }
}

/** The account with the activations and expiries due at `now` applied (in memory only). */
export function asOf(account: AccountState, programme: Programme, now: number): AccountState {
  if (account.status.kind !== 'open') return account;
  const ctx = { programme, now, newId: newEventId, newCode, lookups: { ...NO_MEMBERSHIPS, referralCodeOwner: () => null } };
  const decision = decide({ type: 'ProcessDueWork', profileId: account.profileId }, new Map([[account.profileId, account]]), ctx);
  return decision.ok ? (applyEvents(new Map([[account.profileId, account]]), decision.events).get(account.profileId) ?? account) : account;
}
