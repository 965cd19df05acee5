import type { Programme, Reward } from './programme';
import { DAY_MS, exampleProgramme, only, order, Scenario, T0, TIERS } from './spec-support';

const tierOf = (s: Scenario, profileId = 'm1') => s.summary(profileId).tier?.tier.id;
const changes = (d: ReturnType<Scenario['when']>) => only(d, 'TierChanged').map((e) => [e.data.from, e.data.to, e.data.direction, e.data.effectiveAt]);
const programme = (tiers: Partial<NonNullable<Programme['tiers']>> = {}, extra: Partial<Programme> = {}) => exampleProgramme({ pendingDays: 0, tiers: { ...TIERS, ...tiers }, ...extra });

describe('tiers', () => {
  it('upgrade at once when an order reaches a threshold, skipping levels if it reaches several', () => {
    const s = new Scenario(programme());
    expect(changes(s.when(order('m1', 499)))).toEqual([]);
    expect(changes(s.when(order('m1', 1)))).toEqual([['normal', 'silver', 'up', T0]]);
    expect(changes(s.when(order('m2', 2500)))).toEqual([['normal', 'gold', 'up', T0]]);
    expect(tierOf(s, 'm2')).toBe('gold');
  });

  it('count pending points toward qualification', () => {
    const s = new Scenario(programme({}, { pendingDays: 14 }));
    s.given(order('m1', 600));
    expect(s.summary('m1').points).toMatchObject({ pending: 600, active: 0 });
    expect(tierOf(s)).toBe('silver');
  });

  it('never qualify on the balance: spending points keeps the tier and the progress', () => {
    const reward: Reward = { id: 'r', name: 'r', cost: 600, grant: { kind: 'gift', sku: 'MUG' } };
    const s = new Scenario(programme({}, { rewards: [reward] }));
    s.given(order('m1', 600), { type: 'RedeemReward', profileId: 'm1', rewardId: 'r', idempotencyKey: 'k' });
    expect(s.summary('m1')).toMatchObject({ points: { active: 0, spent: 600 }, tier: { tier: { id: 'silver' }, value: 600, next: { id: 'gold', remaining: 1400 } } });
  });

  it('downgrade only at the end of a review period, to what the member qualified for then', () => {
    const s = new Scenario(programme());
    s.given(order('m1', 600, { at: Date.UTC(2024, 0, 10) }));
    // The points leave the 365-day window on 2025-01-10, but the January review (1 January) still saw them.
    s.at(Date.UTC(2025, 0, 20));
    expect(changes(s.run({ type: 'ProcessDueWork', profileId: 'm1' }))).toEqual([]);
    expect(tierOf(s)).toBe('silver');
    s.at(Date.UTC(2025, 1, 2));
    expect(changes(s.run({ type: 'ProcessDueWork', profileId: 'm1' }))).toEqual([['silver', 'normal', 'down', Date.UTC(2025, 1, 1)]]);
    expect(changes(s.run({ type: 'ProcessDueWork', profileId: 'm1' }))).toEqual([]);
  });

  it('keep a tier reached after the last review until the next one', () => {
    const s = new Scenario(programme({ windowDays: 30 }));
    s.given(order('m1', 600, { at: Date.UTC(2024, 2, 20) }));
    s.at(Date.UTC(2024, 3, 25));
    expect(changes(s.run({ type: 'ProcessDueWork', profileId: 'm1' }))).toEqual([]);
    s.at(Date.UTC(2024, 4, 2));
    expect(changes(s.run({ type: 'ProcessDueWork', profileId: 'm1' }))).toEqual([['silver', 'normal', 'down', Date.UTC(2024, 4, 1)]]);
  });

  it('downgrade no lower than what the member qualifies for at the review', () => {
    const s = new Scenario(programme({ reviewPeriod: 'quarter' }));
    s.given(order('m1', 2500, { at: Date.UTC(2024, 0, 10) }), order('m1', 600, { at: Date.UTC(2024, 11, 1) }));
    s.at(Date.UTC(2025, 3, 2));
    expect(changes(s.run({ type: 'ProcessDueWork', profileId: 'm1' }))).toEqual([['gold', 'silver', 'down', Date.UTC(2025, 3, 1)]]);
  });

  it('can qualify on spend in the programme currency, net of refunds', () => {
    const s = new Scenario(programme({ metric: 'spend', levels: [{ id: 'normal', name: 'n', threshold: 0, earnMultiplier: 1 }, { id: 'vip', name: 'v', threshold: 1000, earnMultiplier: 1 }] }));
    s.given(order('m1', 900, { orderId: 'A' }), order('m1', 5000, { currency: 'EUR' }));
    expect(s.summary('m1').tier).toMatchObject({ tier: { id: 'normal' }, metric: 'spend', value: 900, next: { id: 'vip', threshold: 1000, remaining: 100 } });
    s.given({ type: 'RecordRefund', profileId: 'm1', eventId: 'r', occurredAt: T0, orderId: 'A', amount: 100.5, currency: 'USD', reason: 'refund' });
    expect(s.summary('m1').tier).toMatchObject({ value: 799.5, next: { remaining: 200.5 } });
    expect(changes(s.when(order('m1', 200.5)))).toEqual([['normal', 'vip', 'up', T0]]);
    expect(s.summary('m1').tier?.next).toBeNull();
  });

  it('show progress to the next tier over the rolling window', () => {
    const s = new Scenario(programme());
    s.given(order('m1', 300, { at: T0 }), order('m1', 100, { at: T0 + 200 * DAY_MS }));
    s.at(T0 + 200 * DAY_MS);
    expect(s.summary('m1').tier).toEqual({ tier: { id: 'normal', name: '普通', since: null }, metric: 'points', windowDays: 365, value: 400, next: { id: 'silver', name: '银卡', threshold: 500, remaining: 100 } });
    s.at(T0 + 366 * DAY_MS);
    expect(s.summary('m1').tier).toMatchObject({ value: 100, next: { remaining: 400 } });
  });
});
