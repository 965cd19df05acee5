import type { Reward } from './programme';
import { DAY_MS, exampleProgramme, order, refund, Scenario, T0 } from './spec-support';
import { historyPage, pointsConserved } from './summary';

const reward: Reward = { id: 'r', name: 'r', cost: 30, grant: { kind: 'gift', sku: 'G' } };

describe('the account summary', () => {
  it('shows pending, active, expiring soon, expired and spent points', () => {
    const s = new Scenario(exampleProgramme({ rewards: [reward], expiry: { kind: 'rolling', days: 60 } }));
    s.given(order('m1', 100, { at: T0 }), order('m1', 40, { at: T0 + 30 * DAY_MS }), order('m1', 25, { at: T0 + 70 * DAY_MS }));
    s.at(T0 + 45 * DAY_MS).tick(); // first two active (days 14 and 44), expiring on days 74 and 104
    s.given({ type: 'RedeemReward', profileId: 'm1', rewardId: 'r', idempotencyKey: 'k' });
    s.at(T0 + 80 * DAY_MS).tick(); // the 70 left of the first order expire on day 74
    expect(s.summary('m1', 30)).toEqual({
      programmeId: 'prog-1',
      profileId: 'm1',
      pointsName: 'Stars',
      status: 'open',
      mergedInto: null,
      points: { active: 40, pending: 25, expiringSoon: 40, withinDays: 30, nextExpiry: { at: T0 + 104 * DAY_MS, points: 40 }, expired: 70, spent: 30 },
      tier: null,
    });
    expect(s.summary('m1', 10).points.expiringSoon).toBe(0);
    expect(pointsConserved(s.account('m1'))).toBe(true);
  });
});

describe('ledger history', () => {
  function history() {
    const s = new Scenario();
    s.given(order('m1', 10, { orderId: 'A', at: T0 }), order('m1', 20, { orderId: 'B', at: T0 + DAY_MS }));
    s.given(order('m1', 5, { orderId: 'late', at: T0 - DAY_MS })); // a late event about an earlier order
    s.given(refund('m1', 'B', null, { at: T0 + 2 * DAY_MS }));
    return s.streams.get('m1') ?? [];
  }

  it('lists ledger entries newest first by business time, then by stream position', () => {
    const result = historyPage(history(), { limit: 10 });
    if (!result.ok) throw new Error('refused');
    expect(result.page.items.map((i) => [i.entry.type, i.entry.occurredAt])).toEqual([
      ['PointsReversed', T0 + 2 * DAY_MS],
      ['PointsPending', T0 + DAY_MS],
      ['PointsPending', T0],
      ['PointsPending', T0 - DAY_MS],
    ]);
    expect(result.page.nextCursor).toBeNull();
  });

  it('pages with a keyset cursor that entries appended meanwhile do not shift', () => {
    const events = history();
    const first = historyPage(events, { limit: 2 });
    if (!first.ok) throw new Error('refused');
    expect(first.page.nextCursor).not.toBeNull();
    const newer = [...events, { seq: 99, event: { ...events[events.length - 1].event, id: 'x', occurredAt: T0 + 9 * DAY_MS } }];
    const second = historyPage(newer, { limit: 2, cursor: first.page.nextCursor });
    if (!second.ok) throw new Error('refused');
    expect(second.page.items.map((i) => i.entry.occurredAt)).toEqual([T0, T0 - DAY_MS]);
    expect(second.page.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not give out', () => {
    expect(historyPage(history(), { limit: 2, cursor: 'DROP TABLE' })).toMatchObject({ ok: false, rejection: { code: 'INVALID_CURSOR' } });
  });
});
