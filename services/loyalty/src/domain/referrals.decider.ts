import type { LoyaltyCommand } from './commands';
import type { Draft } from './draft';
import { type Rejection, rejection } from './errors';

type IssueReferralCode = Extract<LoyaltyCommand, { type: 'IssueReferralCode' }>;
type ApplyReferralCode = Extract<LoyaltyCommand, { type: 'ApplyReferralCode' }>;

/** One code per member, kept for good; asking again decides nothing. */
export function decideReferralCode(draft: Draft, command: IssueReferralCode): Rejection | null {
  if (!draft.programme.referral) return rejection('REFERRALS_DISABLED', 'the programme has no referrals');
  const account = draft.resolve(command.profileId);
  if (account.referral.code) return null;
  draft.emit('ReferralCodeIssued', account.profileId, draft.ctx.now, { code: draft.ctx.newCode() });
  return null;
}

/**
 * Links a referee to the code's owner, before the referee's first order (that order triggers the
 * rewards). Self-referral, refused: the code is the referee's own; referrer and referee are one
 * account after identity merges (the same person under two profiles); or the referrer was referred
 * by this referee (a pair referring each other). Identifiers shared by two profiles are identity's
 * business: such profiles are merged, and then count as one.
 */
export function decideReferralLink(draft: Draft, command: ApplyReferralCode): Rejection | null {
  const { programme, ctx } = draft;
  if (!programme.referral) return rejection('REFERRALS_DISABLED', 'the programme has no referrals');
  const referee = draft.resolve(command.profileId);
  const code = command.code.trim();
  const existing = referee.referral.referredBy;
  if (existing) return existing.code === code ? null : rejection('ALREADY_REFERRED', 'the member was already referred');
  const owner = ctx.lookups.referralCodeOwner(code);
  if (owner === null) return rejection('UNKNOWN_REFERRAL_CODE', `no member has referral code ${code}`);
  const referrer = draft.resolve(owner);
  if (referrer.profileId === referee.profileId) return rejection('SELF_REFERRAL', 'a member cannot refer themselves');
  const referrersReferrer = referrer.referral.referredBy ? draft.resolve(referrer.referral.referredBy.profileId) : null;
  if (referrersReferrer?.profileId === referee.profileId) return rejection('SELF_REFERRAL', 'the referrer was referred by this member');
  if (Object.keys(referee.orders).length > 0) return rejection('REFERRAL_TOO_LATE', 'a referral must come before the first order');
  draft.emit('ReferralLinked', referee.profileId, command.occurredAt, { referrerProfileId: referrer.profileId, code, eventId: command.eventId });
  return null;
}
