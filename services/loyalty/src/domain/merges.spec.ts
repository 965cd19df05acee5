import type { LoyaltyCommand } from './commands';
import type { Reward } from './programme';
import { DAY_MS, exampleProgramme, only, order, refund, Scenario, T0, TIERS, types } from './spec-support';

const reward: Reward = { id: 'r', name: 'r', cost: 100, grant: { kind: 'gift', sku: 'G' } };
const programme = exampleProgramme({
  tiers: TIERS,
  rewards: [reward],
  earningRules: [...exampleProgramme().earningRules, { id: 'review', name: 'review', kind: 'activity', activity: 'review', points: 10, limit: { count: 1, period: 'month' } }],
});
const merge = (survivor: string, merged: string[], mergeId = 'merge-1', at = T0 + DAY_MS): LoyaltyCommand => ({ type: 'MergeAccounts', mergeId, survivorProfileId: survivor, mergedProfileIds: merged, occurredAt: at });
const split = (profileId: string, restored: string[], undoneMergeId: string | null = 'merge-1', splitId = 'split-1', at = T0 + 2 * DAY_MS): LoyaltyCommand => ({
  type: 'SplitAccounts',
  splitId,
  undoneMergeId,
  profileId,
  restoredProfileIds: restored,
  occurredAt: at,
});
const review = (profileId: string, eventId: string, at = T0): LoyaltyCommand => ({ type: 'RecordActivity', profileId, eventId, occurredAt: at, activity: 'review', name: null });

function twoMembers(): Scenario {
  const s = new Scenario(programme);
  s.given(order('anna', 300, { orderId: 'A1', at: T0 - 30 * DAY_MS }), order('anna', 50, { orderId: 'A2' }), review('anna', 'rev-a'));
  s.given(order('anon', 250, { orderId: 'B1', at: T0 - 20 * DAY_MS }), order('anon', 40, { orderId: 'B2' }));
  s.at(T0 + DAY_MS).tick(); // A1 and B1 are active, A2 and B2 pending
  return s;
}

describe('merging accounts', () => {
  it('moves every lot with its status and expiry into the survivor and closes the merged account', () => {
    const s = twoMembers();
    const before = s.summary('anon');
    expect(before.points).toMatchObject({ active: 250, pending: 40 });
    const d = s.when(merge('anna', ['anon']));
    expect(types(d)).toEqual(['PointsTransferred', 'PointsTransferred', 'AccountMergedInto', 'AccountMerged', 'PointsTransferred', 'PointsTransferred', 'TierChanged']);
    expect(s.summary('anna').points).toMatchObject({ active: 310 + 250, pending: 50 + 40 });
    expect(s.summary('anon')).toMatchObject({ status: 'merged', mergedInto: 'anna', points: { active: 0, pending: 0 }, tier: null });
    const lot = Object.values(s.account('anna').lots).find((l) => l.cause.kind === 'order' && l.cause.orderId === 'B1');
    expect(lot).toMatchObject({ status: 'active', remaining: 250, earnedAt: T0 - 20 * DAY_MS });
  });

  it('qualifies the survivor on the combined history at once', () => {
    const s = twoMembers();
    expect([s.summary('anna').tier?.tier.id, s.summary('anon').tier?.tier.id]).toEqual(['normal', 'normal']);
    s.given(merge('anna', ['anon']));
    expect(s.summary('anna').tier).toMatchObject({ tier: { id: 'silver' }, value: 650 });
  });

  it('sends later events for the merged profile to the survivor, and still recognises its replays and refunds', () => {
    const s = twoMembers().given(merge('anna', ['anon']));
    expect(only(s.when(order('anon', 20, { orderId: 'B3' })), 'PointsPending').map((e) => e.data.profileId)).toEqual(['anna']);
    expect(types(s.when(order('anon', 40, { orderId: 'B2' })))).toEqual([]);
    const reversal = only(s.when(refund('anon', 'B1', null, { at: s.now })), 'PointsReversed');
    expect(reversal.map((e) => [e.data.profileId, e.data.points])).toEqual([['anna', 250]]);
  });

  it('pools usage limits: one review bonus a month for the merged person', () => {
    const s = new Scenario(programme).given(review('anon', 'rev-b'));
    s.given(merge('anna', ['anon']));
    expect(only(s.when(review('anna', 'rev-a')), 'PointsEarned')).toEqual([]);
  });

  it('keeps the better tier of the two', () => {
    const s = new Scenario(programme).given(order('gold', 2500, { orderId: 'G' }), order('plain', 10, { orderId: 'P' }));
    const d = s.when(merge('plain', ['gold']));
    expect(only(d, 'TierChanged').map((e) => [e.data.to, e.data.reason, e.data.heldSince])).toEqual([['gold', 'merge', T0]]);
  });

  it('does nothing when repeated, or when merging an account into itself', () => {
    const s = twoMembers().given(merge('anna', ['anon']));
    expect(types(s.when(merge('anna', ['anon'])))).toEqual([]);
    expect(types(s.when(merge('anna', ['anna'], 'merge-2')))).toEqual([]);
  });
});

describe('splitting accounts', () => {
  it('undoes a merge: both summaries are as before', () => {
    const s = twoMembers();
    const [anna, anon] = [s.summary('anna'), s.summary('anon')];
    s.given(merge('anna', ['anon']));
    const d = s.when(split('anna', ['anon']));
    expect(types(d)).toEqual(['PointsTransferred', 'PointsTransferred', 'AccountSplit', 'AccountRestored', 'PointsTransferred', 'PointsTransferred', 'TierChanged']);
    expect([s.summary('anna'), s.summary('anon')]).toEqual([anna, anon]);
  });

  it('returns what remains of the moved lots; what the survivor spent stays spent, what it earned since stays', () => {
    const s = twoMembers().given(merge('anna', ['anon']));
    s.at(T0 + 15 * DAY_MS).tick(); // everything active: anna 300 + 50 + 10, anon 250 + 40
    s.given({ type: 'RedeemReward', profileId: 'anna', rewardId: 'r', idempotencyKey: 'k' }); // oldest first: 100 of anna's A1
    s.given(order('anna', 70, { orderId: 'A3', at: s.now })); // 87 points: silver since the merge
    s.given(split('anna', ['anon'], 'merge-1', 'split-1', s.now));
    expect(s.summary('anon').points).toMatchObject({ active: 290, pending: 0 });
    expect(s.summary('anna').points).toMatchObject({ active: 260, pending: 87, spent: 100 });
    expect(Object.keys(s.account('anon').orders).sort()).toEqual(['B1', 'B2']);
    expect(Object.keys(s.account('anna').orders).sort()).toEqual(['A1', 'A2', 'A3']);
  });

  it('sends the absorbed account’s points back even when the survivor spent from them', () => {
    const s = new Scenario(exampleProgramme({ pendingDays: 0, rewards: [reward] }));
    s.given(order('anon', 150, { orderId: 'B1', at: T0 - DAY_MS }), order('anna', 60, { orderId: 'A1' }));
    s.given(merge('anna', ['anon']), { type: 'RedeemReward', profileId: 'anna', rewardId: 'r', idempotencyKey: 'k' }); // takes 100 of anon's older lot
    s.given(split('anna', ['anon']));
    expect([s.summary('anna').points.active, s.summary('anon').points.active]).toEqual([60, 50]);
  });

  it('withdraws a tier gained only through the merge at once', () => {
    const s = twoMembers().given(merge('anna', ['anon']));
    expect(s.summary('anna').tier?.tier.id).toBe('silver');
    s.given(split('anna', ['anon']));
    expect(s.summary('anna').tier?.tier.id).toBe('normal');
  });

  it('reopens the restored account: its own events stay with it again', () => {
    const s = twoMembers().given(merge('anna', ['anon']), split('anna', ['anon']));
    expect(only(s.when(order('anon', 20, { orderId: 'B9' })), 'PointsPending').map((e) => e.data.profileId)).toEqual(['anon']);
    expect(types(s.when(order('anon', 40, { orderId: 'B2' })))).toEqual([]);
  });

  it('moves nothing for a split that undoes no merge, and nothing when repeated', () => {
    const s = twoMembers().given(merge('anna', ['anon']));
    expect(types(s.when(split('anna', ['anon'], null)))).toEqual([]);
    s.given(split('anna', ['anon']));
    expect(types(s.when(split('anna', ['anon'], 'merge-1', 'split-2')))).toEqual([]);
  });
});

describe('merges delivered again', () => {
  it('changes nothing when a merge comes again after its split, though the survivor it named had itself been merged and restored', () => {
    // Given: anna is merged into bea, so a later merge naming anna as survivor of anon lands in bea;
    // then both merges are undone.
    const s = twoMembers();
    s.given(order('bea', 20, { orderId: 'C1' }));
    s.given(merge('bea', ['anna'], 'merge-x'), merge('anna', ['anon'], 'merge-y'));
    s.given(split('bea', ['anna'], 'merge-x', 'split-x'), split('bea', ['anon'], 'merge-y', 'split-y'));
    const before = [s.summary('anna'), s.summary('anon'), s.summary('bea')];
    // When identity's merge of anon into anna is delivered again, anna is open and has never absorbed anon itself.
    const d = s.when(merge('anna', ['anon'], 'merge-y'));
    // Then nothing moves.
    expect(types(d)).toEqual([]);
    expect([s.summary('anna'), s.summary('anon'), s.summary('bea')]).toEqual(before);
  });
});
