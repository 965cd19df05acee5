import { findRedemption } from './account';
import type { LoyaltyCommand } from './commands';
import type { Reward } from './programme';
import { DAY_MS, exampleProgramme, only, order, Scenario, T0, TIERS, types } from './spec-support';

const rewards: Reward[] = [
  { id: 'pool-coupon', name: 'Partner coupon', cost: 100, grant: { kind: 'coupon', codes: { source: 'pool', poolId: 'partner-2024' } } },
  { id: 'own-coupon', name: 'Free shipping', cost: 50, grant: { kind: 'coupon', codes: { source: 'generated', prefix: 'SHIP-' } } },
  { id: 'ten-off', name: '$10 off', cost: 200, grant: { kind: 'discount', amountOff: 10, percentOff: null, prefix: 'TEN-' } },
  { id: 'mug', name: 'Mug', cost: 300, grant: { kind: 'gift', sku: 'MUG-01' }, limit: { count: 1, period: 'year' } },
  { id: 'lounge', name: 'Lounge pass', cost: 10, grant: { kind: 'gift', sku: 'LOUNGE' }, minimumTier: 'gold' },
  { id: 'vip-gift', name: 'VIP gift', cost: 10, grant: { kind: 'gift', sku: 'VIP' }, targeting: { segments: ['vip'] } },
  { id: 'summer', name: 'Summer', cost: 10, grant: { kind: 'gift', sku: 'SUN' }, validFrom: Date.UTC(2024, 5, 1), validUntil: Date.UTC(2024, 8, 1) },
];
const programme = exampleProgramme({ pendingDays: 0, rewards, tiers: TIERS });
const redeem = (rewardId: string, idempotencyKey: string, reservedCode: string | null = null): LoyaltyCommand => ({ type: 'RedeemReward', profileId: 'm1', rewardId, idempotencyKey, reservedCode });
const withPoints = (points: number) => new Scenario(programme).given(order('m1', points, { orderId: 'seed' }));
const code = (s: Scenario, d: ReturnType<Scenario['when']>) => only(d, 'PointsRedeemed')[0]?.data.redemption.grant;

describe('redeeming rewards', () => {
  it('spends active points and grants the reward: pool coupons take the code the caller reserved', () => {
    const s = withPoints(450);
    const d = s.when(redeem('pool-coupon', 'k1', 'PARTNER-XYZ'));
    expect(types(d)).toEqual(['PointsRedeemed']);
    expect(only(d, 'PointsRedeemed')[0].data).toMatchObject({ points: 100, cause: { kind: 'redemption', idempotencyKey: 'k1', rewardId: 'pool-coupon' } });
    expect(code(s, d)).toEqual({ kind: 'coupon', code: 'PARTNER-XYZ' });
    expect(code(s, s.when(redeem('own-coupon', 'k2')))).toEqual({ kind: 'coupon', code: 'SHIP-C1' });
    expect(code(s, s.when(redeem('ten-off', 'k3')))).toEqual({ kind: 'discount', code: 'TEN-C2', amountOff: 10, percentOff: null, currency: 'USD' });
    expect(s.summary('m1').points).toMatchObject({ active: 100, spent: 350 });
  });

  it('refuses a pool coupon when no code could be reserved', () => {
    expect(withPoints(450).when(redeem('pool-coupon', 'k1'))).toMatchObject({ ok: false, rejection: { code: 'COUPON_POOL_EMPTY' } });
  });

  it('never takes the balance below zero', () => {
    const s = withPoints(250);
    expect(s.when(redeem('mug', 'k1'))).toMatchObject({ ok: false, rejection: { code: 'INSUFFICIENT_POINTS' } });
    expect(s.when(redeem('ten-off', 'k2')).ok).toBe(true);
    expect(s.when(redeem('ten-off', 'k3'))).toMatchObject({ ok: false, rejection: { code: 'INSUFFICIENT_POINTS' } });
    expect(s.summary('m1').points.active).toBe(50);
  });

  it('is idempotent on its key: a retry decides nothing and finds the first outcome', () => {
    const s = withPoints(450);
    s.given(redeem('own-coupon', 'k1'));
    expect(types(s.when(redeem('own-coupon', 'k1')))).toEqual([]);
    expect(s.summary('m1').points.spent).toBe(50);
    expect(findRedemption(s.account('m1'), 'k1')).toMatchObject({ rewardId: 'own-coupon', grant: { code: 'SHIP-C1' } });
    expect(s.when(redeem('ten-off', 'k1'))).toMatchObject({ ok: false, rejection: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  });

  it('applies the reward limit per member per period', () => {
    const s = withPoints(1000);
    s.given(redeem('mug', 'k1'));
    expect(s.when(redeem('mug', 'k2'))).toMatchObject({ ok: false, rejection: { code: 'LIMIT_REACHED' } });
    s.at(Date.UTC(2025, 0, 2));
    s.given(order('m1', 300, { orderId: 'again', at: s.now }));
    expect(s.when(redeem('mug', 'k3')).ok).toBe(true);
  });

  it('checks tier, targeting, validity and the catalogue', () => {
    const s = withPoints(450);
    expect(s.when(redeem('lounge', 'k1'))).toMatchObject({ ok: false, rejection: { code: 'TIER_TOO_LOW' } });
    expect(s.when(redeem('vip-gift', 'k2'))).toMatchObject({ ok: false, rejection: { code: 'NOT_TARGETED' } });
    s.segments.add('m1|vip');
    expect(s.when(redeem('vip-gift', 'k3')).ok).toBe(true);
    expect(s.when(redeem('summer', 'k4'))).toMatchObject({ ok: false, rejection: { code: 'REWARD_NOT_AVAILABLE' } });
    s.at(Date.UTC(2024, 6, 1));
    expect(s.when(redeem('summer', 'k5')).ok).toBe(true);
    expect(s.when(redeem('nope', 'k6'))).toMatchObject({ ok: false, rejection: { code: 'UNKNOWN_REWARD' } });
    const gold = new Scenario(programme).given(order('m1', 2000));
    expect(gold.when(redeem('lounge', 'k1')).ok).toBe(true);
  });
});

describe('manual adjustments', () => {
  const adjust = (points: number, extra: Partial<Extract<LoyaltyCommand, { type: 'AdjustPoints' }>> = {}): LoyaltyCommand => ({
    type: 'AdjustPoints',
    profileId: 'm1',
    adjustmentId: `adj-${points}`,
    points,
    actor: 'agent-7',
    reason: 'goodwill after a late delivery',
    ...extra,
  });

  it('credit a lot that carries actor and reason, expires like others and counts toward no tier', () => {
    const s = new Scenario(programme);
    const d = s.when(adjust(1000));
    expect(only(d, 'PointsAdjusted')[0].data).toMatchObject({ points: 1000, cause: { kind: 'manual', actor: 'agent-7', reason: 'goodwill after a late delivery' }, expiresAt: T0 + 365 * DAY_MS });
    expect(s.summary('m1')).toMatchObject({ points: { active: 1000 }, tier: { tier: { id: 'normal' }, value: 0 } });
  });

  it('debit active points oldest first, never beyond the balance', () => {
    const s = withPoints(100);
    expect(s.when(adjust(-150))).toMatchObject({ ok: false, rejection: { code: 'INSUFFICIENT_POINTS' } });
    const d = s.when(adjust(-40));
    expect(only(d, 'PointsAdjusted')[0].data).toMatchObject({ points: -40, allocations: [{ points: 40, status: 'active' }] });
    expect(s.summary('m1').points.active).toBe(60);
  });

  it('need a reason, an actor and a non-zero integer', () => {
    const s = withPoints(100);
    expect(s.when(adjust(10, { reason: '  ' }))).toMatchObject({ ok: false, rejection: { code: 'REASON_REQUIRED' } });
    expect(s.when(adjust(10, { actor: '' }))).toMatchObject({ ok: false, rejection: { code: 'ACTOR_REQUIRED' } });
    expect(s.when(adjust(0))).toMatchObject({ ok: false, rejection: { code: 'INVALID_COMMAND' } });
    expect(s.when(adjust(1.5))).toMatchObject({ ok: false, rejection: { code: 'INVALID_COMMAND' } });
  });

  it('are applied once per adjustment id', () => {
    const s = new Scenario(programme);
    s.given(adjust(10));
    expect(types(s.when(adjust(10)))).toEqual([]);
    expect(s.summary('m1').points.active).toBe(10);
  });
});
