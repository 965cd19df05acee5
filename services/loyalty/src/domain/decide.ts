import type { Accounts } from './account';
import { decideActivity } from './activities.decider';
import type { DecideContext, LoyaltyCommand } from './commands';
import { Draft } from './draft';
import { decideDueWork } from './due-work.decider';
import { LoyaltyDomainError, type Rejection } from './errors';
import type { LoyaltyEvent } from './events';
import { decideMerge, decideSplit } from './merges.decider';
import { decideOrder, decideRefund } from './orders.decider';
import { decideReferralCode, decideReferralLink } from './referrals.decider';
import { decideAdjustment, decideRedemption } from './rewards.decider';

/**
 * Events to append (possibly none: a replayed input, a repeated idempotency key, nothing due), or
 * why the command was refused (then nothing is recorded). Each event names its account in
 * `data.profileId`; a decision can touch several accounts (referrals, refunds of referral
 * rewards, merges, splits), and its events must be appended together, in order.
 */
export type Decision = { ok: true; events: LoyaltyEvent[] } | { ok: false; rejection: Rejection };

/**
 * The whole of the programme's business logic. Pure: the clock, ids, codes and lookups come from
 * `ctx`. `accounts` must hold every account the command reads (see `accountsToLoad`); an account
 * never seen is `emptyAccount(...)`. Throws LoyaltyDomainError ACCOUNT_NOT_LOADED otherwise.
 */
export function decide(command: LoyaltyCommand, accounts: Accounts, ctx: DecideContext): Decision {
  const draft = new Draft(accounts, ctx);
  const refused = run(draft, command);
  return refused ? { ok: false, rejection: refused } : { ok: true, events: draft.events };
}

function run(draft: Draft, command: LoyaltyCommand): Rejection | null {
  switch (command.type) {
    case 'RecordOrder':
      return decideOrder(draft, command);
    case 'RecordRefund':
      return decideRefund(draft, command);
    case 'RecordActivity':
      return decideActivity(draft, command);
    case 'RedeemReward':
      return decideRedemption(draft, command);
    case 'AdjustPoints':
      return decideAdjustment(draft, command);
    case 'IssueReferralCode':
      return decideReferralCode(draft, command);
    case 'ApplyReferralCode':
      return decideReferralLink(draft, command);
    case 'MergeAccounts':
      return decideMerge(draft, command);
    case 'SplitAccounts':
      return decideSplit(draft, command);
    case 'ProcessDueWork':
      return decideDueWork(draft, command);
    default: {
      const never: never = command;
      throw new RangeError(`unknown command ${(never as LoyaltyCommand).type}`);
    }
  }
}

/**
 * The next account `decide` needs for this command that `accounts` lacks, or [] when all are
 * there. Which accounts a command reads can depend on their contents (the referrer of a referee,
 * the survivor of a merged profile), so load in a loop: add (and lock) what this returns, ask
 * again, until it returns []. Load an account never seen as `emptyAccount(...)`.
 */
export function accountsToLoad(command: LoyaltyCommand, accounts: Accounts, ctx: DecideContext): string[] {
  let probe = 0;
  try {
    decide(command, accounts, { ...ctx, newId: () => `probe-${(probe += 1)}`, newCode: () => `probe-${(probe += 1)}` });
    return [];
  } catch (error) {
    if (error instanceof LoyaltyDomainError && error.code === 'ACCOUNT_NOT_LOADED' && error.profileId !== null) return [error.profileId];
    throw error;
  }
}
