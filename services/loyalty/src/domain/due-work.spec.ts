import { dueNotifications, nextDueAt } from './due-work.decider';
import type { Reward } from './programme';
import { DAY_MS, exampleProgramme, only, order, Scenario, T0, TIERS, types } from './spec-support';

const due = (s: Scenario, profileId = 'm1') => s.run({ type: 'ProcessDueWork', profileId });
const coupon: Reward = { id: 'c', name: 'coupon', cost: 50, grant: { kind: 'coupon', codes: { source: 'generated', prefix: 'CP-' } } };

describe('pending points', () => {
  it('activate when the return window closes, dated when it closed', () => {
    const s = new Scenario();
    s.given(order('m1', 80));
    expect(types(due(s.at(T0 + 14 * DAY_MS - 1)))).toEqual([]);
    const d = due(s.at(T0 + 20 * DAY_MS));
    expect(types(d)).toEqual(['PointsActivated']);
    expect(d.ok && d.events[0].occurredAt).toBe(T0 + 14 * DAY_MS);
    expect(s.summary('m1').points).toMatchObject({ active: 80, pending: 0 });
  });

  it('cannot be spent before they activate', () => {
    const s = new Scenario(exampleProgramme({ rewards: [coupon] }));
    s.given(order('m1', 80));
    expect(s.when({ type: 'RedeemReward', profileId: 'm1', rewardId: 'c', idempotencyKey: 'k' })).toMatchObject({ ok: false, rejection: { code: 'INSUFFICIENT_POINTS' } });
    s.at(T0 + 14 * DAY_MS);
    expect(s.when({ type: 'RedeemReward', profileId: 'm1', rewardId: 'c', idempotencyKey: 'k' }).ok).toBe(true);
  });
});

describe('expiry', () => {
  it('rolls N days from when points became spendable', () => {
    const s = new Scenario(exampleProgramme({ expiry: { kind: 'rolling', days: 90 } }));
    const [pending] = only(s.when(order('m1', 80)), 'PointsPending');
    expect(pending.data.expiresAt).toBe(T0 + (14 + 90) * DAY_MS);
    s.at(T0 + 104 * DAY_MS).tick();
    expect(s.summary('m1').points).toMatchObject({ active: 0, expired: 80 });
  });

  it('can end with the month or the year, in the programme time zone', () => {
    const eom = new Scenario(exampleProgramme({ pendingDays: 0, timeZone: 'Asia/Shanghai', expiry: { kind: 'end-of-period', unit: 'month', periodsAfter: 0 } }));
    const at = Date.parse('2024-03-31T17:00:00Z'); // 1 April, 01:00 in Shanghai
    expect(only(eom.when(order('m1', 10, { at })), 'PointsEarned')[0].data.expiresAt).toBe(Date.parse('2024-04-30T16:00:00Z'));

    const eoy = new Scenario(exampleProgramme({ pendingDays: 0, expiry: { kind: 'end-of-period', unit: 'year', periodsAfter: 1 } }));
    expect(only(eoy.when(order('m1', 10, { at })), 'PointsEarned')[0].data.expiresAt).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });

  it('consumes oldest points first, so what is left is what expires last', () => {
    const s = new Scenario(exampleProgramme({ pendingDays: 0, rewards: [coupon], expiry: { kind: 'rolling', days: 100 } }));
    s.given(order('m1', 40, { at: T0 }), order('m1', 40, { at: T0 + 10 * DAY_MS }));
    s.at(T0 + 20 * DAY_MS).given({ type: 'RedeemReward', profileId: 'm1', rewardId: 'c', idempotencyKey: 'k1' });
    expect(s.summary('m1').points.nextExpiry).toEqual({ at: T0 + 110 * DAY_MS, points: 30 });
    const expired = only(due(s.at(T0 + 100 * DAY_MS)), 'PointsExpired');
    expect(expired).toEqual([]);
    expect(only(due(s.at(T0 + 110 * DAY_MS)), 'PointsExpired').map((e) => e.data.points)).toEqual([30]);
  });

  it('happens before a redemption looks at the balance, so expired points are never spent', () => {
    const s = new Scenario(exampleProgramme({ pendingDays: 0, rewards: [coupon], expiry: { kind: 'rolling', days: 30 } }));
    s.given(order('m1', 80));
    s.at(T0 + 31 * DAY_MS);
    expect(s.when({ type: 'RedeemReward', profileId: 'm1', rewardId: 'c', idempotencyKey: 'k' })).toMatchObject({ ok: false, rejection: { code: 'INSUFFICIENT_POINTS' } });
  });

  it('writes one entry per expiry instant, and nothing when run again', () => {
    const s = new Scenario(exampleProgramme({ pendingDays: 0, expiry: { kind: 'end-of-period', unit: 'month', periodsAfter: 0 } }));
    s.given(order('m1', 10, { at: Date.UTC(2024, 0, 5) }), order('m1', 20, { at: Date.UTC(2024, 0, 20) }), order('m1', 5, { at: Date.UTC(2024, 1, 3) }));
    const d = due(s.at(Date.UTC(2024, 2, 15)));
    expect(only(d, 'PointsExpired').map((e) => [e.occurredAt, e.data.points])).toEqual([
      [Date.UTC(2024, 1, 1), 30],
      [Date.UTC(2024, 2, 1), 5],
    ]);
    expect(only(due(s), 'PointsExpired')).toEqual([]);
  });
});

describe('notifications', () => {
  const programme = exampleProgramme({ pendingDays: 0, expiry: { kind: 'rolling', days: 100 }, tiers: TIERS });

  it('warn once about points expiring within the window', () => {
    const s = new Scenario(programme);
    s.given(order('m1', 300));
    expect(dueNotifications(s.account('m1'), programme, T0 + 60 * DAY_MS)).toEqual([]);
    s.at(T0 + 75 * DAY_MS);
    const requested = only(due(s), 'NotificationRequested');
    expect(requested.map((e) => e.data.notification)).toEqual([{ kind: 'points-expiring', points: 300, expiresAt: T0 + 100 * DAY_MS }]);
    expect(only(due(s.advanceDays(1)), 'NotificationRequested')).toEqual([]);
  });

  it('announce tier changes once, and not those older than the announcement window', () => {
    const s = new Scenario(programme);
    s.given(order('m1', 600));
    expect(only(due(s), 'NotificationRequested').map((e) => e.data.notification)).toEqual([{ kind: 'tier-changed', from: 'normal', to: 'silver', direction: 'up', effectiveAt: T0 }]);
    expect(only(due(s), 'NotificationRequested')).toEqual([]);

    const late = new Scenario(programme);
    late.given(order('m1', 600));
    late.at(T0 + 8 * DAY_MS);
    expect(dueNotifications(late.account('m1'), programme, late.now).filter((n) => n.notification.kind === 'tier-changed')).toEqual([]);
  });

  it('say when the account next needs due work, and never something already done', () => {
    const s = new Scenario(exampleProgramme({ expiry: { kind: 'rolling', days: 100 } }));
    s.given(order('m1', 50));
    expect(nextDueAt(s.account('m1'), s.programme, T0)).toBe(T0 + 14 * DAY_MS);
    s.at(T0 + 14 * DAY_MS).tick();
    expect(nextDueAt(s.account('m1'), s.programme, s.now)).toBe(T0 + (14 + 100 - 30) * DAY_MS);
    s.at(T0 + 84 * DAY_MS).tick();
    expect(nextDueAt(s.account('m1'), s.programme, s.now)).toBe(T0 + 114 * DAY_MS);
    s.at(T0 + 114 * DAY_MS).tick();
    expect(nextDueAt(s.account('m1'), s.programme, s.now)).toBeNull();
  });
});
