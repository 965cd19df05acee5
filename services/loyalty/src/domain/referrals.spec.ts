import type { LoyaltyCommand } from './commands';
import { exampleProgramme, only, order, refund, Scenario, T0, types } from './spec-support';

const programme = exampleProgramme({ referral: { referrerPoints: 500, refereePoints: 200, minimumOrderValue: 20, referrerLimit: { count: 2, period: 'year' } } });
const issue = (profileId: string): LoyaltyCommand => ({ type: 'IssueReferralCode', profileId });
const apply = (profileId: string, code: string): LoyaltyCommand => ({ type: 'ApplyReferralCode', profileId, code, eventId: `ref-${profileId}`, occurredAt: T0 });
const codeOf = (s: Scenario, profileId: string) => s.account(profileId).referral.code ?? '';
const referralCredits = (d: ReturnType<Scenario['when']>) =>
  only(d, 'PointsPending')
    .filter((e) => e.data.cause.kind === 'referral')
    .map((e) => [e.data.profileId, e.data.points]);

describe('referrals', () => {
  it('give each member one code', () => {
    const s = new Scenario(programme);
    expect(only(s.when(issue('alice')), 'ReferralCodeIssued')[0].data.code).toBe('C1');
    expect(types(s.when(issue('alice')))).toEqual([]);
  });

  it('reward referrer and referee on the referee’s first order, pending like purchase points', () => {
    const s = new Scenario(programme).given(issue('alice'));
    s.given(apply('bob', codeOf(s, 'alice')));
    const d = s.when(order('bob', 30));
    expect(referralCredits(d)).toEqual([
      ['bob', 200],
      ['alice', 500],
    ]);
    expect(only(d, 'PointsPending').find((e) => e.data.profileId === 'alice')?.data.cause).toMatchObject({ kind: 'referral', role: 'referrer', refereeProfileId: 'bob' });
    expect(s.summary('alice').points.pending).toBe(500);
    expect(referralCredits(s.when(order('bob', 30)))).toEqual([]);
  });

  it('give nothing for a first order below the referral minimum', () => {
    const s = new Scenario(programme).given(issue('alice'));
    s.given(apply('bob', codeOf(s, 'alice')));
    expect(referralCredits(s.when(order('bob', 19.99)))).toEqual([]);
  });

  it('stop rewarding a referrer at the limit, but still reward the referee', () => {
    const s = new Scenario(programme).given(issue('alice'));
    for (const referee of ['bob', 'carol', 'dave']) s.given(apply(referee, codeOf(s, 'alice')));
    s.given(order('bob', 30), order('carol', 30));
    expect(referralCredits(s.when(order('dave', 30)))).toEqual([['dave', 200]]);
  });

  it('take both rewards back when the first order is refunded in full, not when partly', () => {
    const s = new Scenario(programme).given(issue('alice'));
    s.given(apply('bob', codeOf(s, 'alice')), order('bob', 100, { orderId: 'B1' }));
    expect(only(s.when(refund('bob', 'B1', 50, { eventId: 'r1' })), 'PointsReversed').map((e) => e.data.profileId)).toEqual(['bob']);
    const d = s.when(refund('bob', 'B1', null, { eventId: 'r2' }));
    expect(only(d, 'PointsReversed').map((e) => [e.data.profileId, e.data.points])).toEqual([
      ['bob', 50],
      ['bob', 200],
      ['alice', 500],
    ]);
    expect(s.summary('alice').points.pending).toBe(0);
  });

  it('refuse self-referral: the own code, the same person under a merged profile, or a pair referring each other', () => {
    const s = new Scenario(programme).given(issue('alice'), issue('bob'));
    expect(s.when(apply('alice', codeOf(s, 'alice')))).toMatchObject({ ok: false, rejection: { code: 'SELF_REFERRAL' } });

    s.given({ type: 'MergeAccounts', mergeId: 'm-1', survivorProfileId: 'alice', mergedProfileIds: ['alice-phone'], occurredAt: T0 });
    expect(s.when(apply('alice-phone', codeOf(s, 'alice')))).toMatchObject({ ok: false, rejection: { code: 'SELF_REFERRAL' } });

    s.given(apply('bob', codeOf(s, 'alice')));
    expect(s.when(apply('alice', codeOf(s, 'bob')))).toMatchObject({ ok: false, rejection: { code: 'SELF_REFERRAL' } });
  });

  it('refuse an unknown code, a second referrer and a referral after the first order', () => {
    const s = new Scenario(programme).given(issue('alice'), issue('carol'));
    expect(s.when(apply('bob', 'NOPE'))).toMatchObject({ ok: false, rejection: { code: 'UNKNOWN_REFERRAL_CODE' } });
    s.given(apply('bob', codeOf(s, 'alice')));
    expect(types(s.when(apply('bob', codeOf(s, 'alice'))))).toEqual([]);
    expect(s.when(apply('bob', codeOf(s, 'carol')))).toMatchObject({ ok: false, rejection: { code: 'ALREADY_REFERRED' } });
    s.given(order('dave', 30));
    expect(s.when(apply('dave', codeOf(s, 'alice')))).toMatchObject({ ok: false, rejection: { code: 'REFERRAL_TOO_LATE' } });
  });

  it('give no reward when referrer and referee were merged before the first order', () => {
    const s = new Scenario(programme).given(issue('alice'));
    s.given(apply('bob', codeOf(s, 'alice')), { type: 'MergeAccounts', mergeId: 'm-1', survivorProfileId: 'alice', mergedProfileIds: ['bob'], occurredAt: T0 });
    expect(referralCredits(s.when(order('bob', 30)))).toEqual([]);
  });

  it('still reward when the referee was merged into another profile before the first order', () => {
    const s = new Scenario(programme).given(issue('alice'));
    s.given(apply('bob', codeOf(s, 'alice')), { type: 'MergeAccounts', mergeId: 'm-1', survivorProfileId: 'bob-app', mergedProfileIds: ['bob'], occurredAt: T0 });
    expect(referralCredits(s.when(order('bob-app', 30)))).toEqual([
      ['bob-app', 200],
      ['alice', 500],
    ]);
  });

  it('are refused when the programme has none', () => {
    expect(new Scenario().when(issue('alice'))).toMatchObject({ ok: false, rejection: { code: 'REFERRALS_DISABLED' } });
  });
});
