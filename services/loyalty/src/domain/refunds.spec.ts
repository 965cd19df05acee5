import type { ActivityRule, Reward } from './programme';
import { DAY_MS, exampleProgramme, only, order, refund, Scenario, T0, types } from './spec-support';

const firstPurchase: ActivityRule = { id: 'first', name: 'first', kind: 'activity', activity: 'first_purchase', points: 300 };
const voucher: Reward = { id: 'voucher', name: '$5 off', cost: 120, grant: { kind: 'discount', amountOff: 5, percentOff: null, prefix: 'V-' } };
const reversed = (d: ReturnType<Scenario['when']>) => only(d, 'PointsReversed').map((e) => e.data.targets[0]);

describe('refunds and cancellations', () => {
  it('reverse pending points of a refund inside the return window', () => {
    const s = new Scenario();
    s.given(order('m1', 100, { orderId: 'A' }));
    const d = s.when(refund('m1', 'A', null));
    expect(types(d)).toEqual(['RefundRecorded', 'PointsReversed']);
    expect(only(d, 'PointsReversed')[0].data).toMatchObject({ points: 100, cause: { kind: 'refund', orderId: 'A' }, allocations: [{ points: 100, status: 'pending' }] });
    expect(s.summary('m1').points).toMatchObject({ pending: 0, active: 0 });
  });

  it('reverse partial refunds proportionally, each refund the difference to what was already reversed', () => {
    const s = new Scenario();
    s.given(order('m1', 100, { orderId: 'A' }));
    expect(reversed(s.when(refund('m1', 'A', 30, { eventId: 'r1' })))).toEqual([expect.objectContaining({ points: 30 })]);
    expect(reversed(s.when(refund('m1', 'A', 30, { eventId: 'r2' })))).toEqual([expect.objectContaining({ points: 30 })]);
    expect(reversed(s.when(refund('m1', 'A', null, { eventId: 'r3' })))).toEqual([expect.objectContaining({ points: 40 })]);
    expect(s.summary('m1').points.pending).toBe(0);
  });

  it('keep, after a partial refund, the points the unrefunded part would earn, rounded by the rule mode', () => {
    // 100 dollars earn 100; refunding 33.33 leaves 66.67 dollars, worth 66.67 points before rounding
    const floor = new Scenario();
    floor.given(order('m1', 100, { orderId: 'A' }));
    expect(reversed(floor.when(refund('m1', 'A', 33.33)))[0].points).toBe(34); // keeps floor(66.67) = 66

    const halfEven = new Scenario(exampleProgramme({ earningRules: [{ id: 'base', name: 'b', kind: 'purchase', currency: 'USD', pointsPerUnit: 1, rounding: 'half-even' }] }));
    halfEven.given(order('m1', 100, { orderId: 'A' }));
    expect(reversed(halfEven.when(refund('m1', 'A', 33.33)))[0].points).toBe(33); // keeps round(66.67) = 67
  });

  it('reverse a first-purchase bonus only when the order is refunded in full', () => {
    const s = new Scenario(exampleProgramme({ earningRules: [...exampleProgramme().earningRules, firstPurchase] }));
    s.given(order('m1', 100, { orderId: 'A' }));
    expect(reversed(s.when(refund('m1', 'A', 50, { eventId: 'r1' }))).map((t) => t.points)).toEqual([50]);
    expect(reversed(s.when(refund('m1', 'A', 50, { eventId: 'r2' }))).map((t) => t.points)).toEqual([50, 300]);
  });

  it('reverse everything on a cancellation, whatever amount it names', () => {
    const s = new Scenario(exampleProgramme({ earningRules: [...exampleProgramme().earningRules, firstPurchase] }));
    s.given(order('m1', 100, { orderId: 'A' }));
    const d = s.when({ ...refund('m1', 'A', 10), reason: 'cancellation' } as ReturnType<typeof refund>);
    expect(reversed(d).map((t) => t.points)).toEqual([100, 300]);
    expect(only(d, 'RefundRecorded')[0].data).toMatchObject({ fullyRefunded: true, amountMinor: 10000, reason: 'cancellation' });
  });

  it('take active points once the return window has closed', () => {
    const s = new Scenario();
    s.given(order('m1', 100, { orderId: 'A' }));
    const d = s.when(refund('m1', 'A', 25, { at: T0 + 20 * DAY_MS }));
    expect(types(d)).toEqual(['RefundRecorded', 'PointsActivated', 'PointsReversed']);
    expect(only(d, 'PointsReversed')[0].data.allocations).toEqual([expect.objectContaining({ points: 25, status: 'active' })]);
    expect(s.summary('m1').points.active).toBe(75);
  });

  it('claw back spent points from the other active points, oldest first, and write off the rest: the balance never goes negative', () => {
    const s = new Scenario(exampleProgramme({ pendingDays: 0, rewards: [voucher], earningRules: [...exampleProgramme().earningRules, { id: 'survey', name: 's', kind: 'activity', activity: 'survey_completed', points: 50 }] }));
    s.given(
      { type: 'RecordActivity', profileId: 'm1', eventId: 'survey-1', occurredAt: T0 - DAY_MS, activity: 'survey_completed', name: null },
      order('m1', 100, { orderId: 'A' }), // 100 points, active at once
      { type: 'RedeemReward', profileId: 'm1', rewardId: 'voucher', idempotencyKey: 'k1' }, // takes the 50 survey points, then 70 of the order's
      { type: 'RecordActivity', profileId: 'm1', eventId: 'survey-2', occurredAt: T0 + 1, activity: 'survey_completed', name: null },
    );
    expect(s.summary('m1').points.active).toBe(80); // 30 left of the order, 50 new
    const [target] = reversed(s.when(refund('m1', 'A', null)));
    expect(target).toEqual({ lotId: expect.any(String), points: 100, fromLot: 30, clawedBack: 50, shortfall: 20, forgone: 0 });
    expect(s.summary('m1').points.active).toBe(0);
    expect(s.account('m1').totals.writtenOff).toBe(20);
  });

  it('do not take expired points again: they are forgone', () => {
    const s = new Scenario(exampleProgramme({ expiry: { kind: 'rolling', days: 30 } }));
    s.given(order('m1', 100, { orderId: 'A' }), order('m1', 40, { orderId: 'B', at: T0 + 40 * DAY_MS }));
    s.at(T0 + 50 * DAY_MS).tick(); // A's points activated on day 14 and expired on day 44
    expect(s.summary('m1').points).toMatchObject({ expired: 100, active: 0, pending: 40 });
    const [target] = reversed(s.when(refund('m1', 'A', null, { at: s.now })));
    expect(target).toMatchObject({ points: 100, fromLot: 0, clawedBack: 0, shortfall: 0, forgone: 100 });
    expect(s.summary('m1').points.pending).toBe(40);
  });

  it('change nothing when replayed, and nothing once the order is refunded in full', () => {
    const s = new Scenario();
    s.given(order('m1', 100, { orderId: 'A' }), refund('m1', 'A', 40, { eventId: 'r1' }));
    expect(types(s.when(refund('m1', 'A', 40, { eventId: 'r1' })))).toEqual([]);
    s.given(refund('m1', 'A', 500, { eventId: 'r2' })); // capped at the 60 not yet refunded
    expect(s.account('m1').orders.A.refundedMinor).toBe(10000);
    expect(types(s.when(refund('m1', 'A', 10, { eventId: 'r3' })))).toEqual([]);
    expect(s.summary('m1').points.pending).toBe(0);
  });

  it('are refused for an unknown order, another currency, or a non-positive amount', () => {
    const s = new Scenario();
    s.given(order('m1', 100, { orderId: 'A' }));
    expect(s.when(refund('m1', 'nope', null))).toMatchObject({ ok: false, rejection: { code: 'ORDER_NOT_FOUND' } });
    expect(s.when({ ...refund('m1', 'A', 10), currency: 'EUR' } as ReturnType<typeof refund>)).toMatchObject({ ok: false, rejection: { code: 'CURRENCY_MISMATCH' } });
    expect(s.when(refund('m1', 'A', 0))).toMatchObject({ ok: false, rejection: { code: 'INVALID_AMOUNT' } });
  });

  it('lower points-based tier qualification by what they reversed', () => {
    const s = new Scenario(exampleProgramme({ tiers: { metric: 'points', windowDays: 365, reviewPeriod: 'month', levels: [{ id: 'normal', name: 'n', threshold: 0, earnMultiplier: 1 }, { id: 'silver', name: 's', threshold: 500, earnMultiplier: 1 }] } }));
    s.given(order('m1', 600, { orderId: 'A' }));
    expect(s.summary('m1').tier).toMatchObject({ tier: { id: 'silver' }, value: 600 });
    s.given(refund('m1', 'A', 300));
    expect(s.summary('m1').tier).toMatchObject({ tier: { id: 'silver' }, value: 300 }); // downgrades wait for the review
  });
});
