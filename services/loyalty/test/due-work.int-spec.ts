import type { LedgerEntry } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import type { RunningService } from '@cdp/service-kit';
import { LoyaltyClock } from '../src/application/clock';
import { DAY_MS, type LoyaltyHarness, orderCompleted, programme, SETUP_TIMEOUT_MS, startLoyalty } from './support/loyalty-harness';

const T0 = Date.UTC(2026, 4, 1, 8);
const MEMBERS = 80;

describe('due-work scheduler on two instances', () => {
  let h: LoyaltyHarness;
  let other: RunningService;

  beforeAll(async () => {
    h = await startLoyalty('loyalty-due', { LOYALTY_DUE_WORK_BATCH_SIZE: '7' });
    other = await h.startAnother({ LOYALTY_DUE_WORK_INTERVAL_MS: '50', LOYALTY_DUE_WORK_BATCH_SIZE: '7' });
    h.clock.set(T0);
    other.app.get(LoyaltyClock).set(T0);
    await h.createProgramme(programme('due', { pendingDays: 10, expiry: { kind: 'rolling', days: 30 } }));
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.close();
  });

  it('activates and expires every account exactly once while both instances claim due accounts', async () => {
    const ledger = await h.read<LedgerEntry>(TOPICS.loyaltyLedger);
    await h.sendResolved(Array.from({ length: MEMBERS }, (_, i) => orderCompleted(`m-${i}`, `due-${i}`, 10 + i, { at: T0 })));
    await h.caughtUp();

    // Both instances past the return window: the interval of one and the on-demand run of the other race for the same accounts.
    h.clock.set(T0 + 11 * DAY_MS);
    other.app.get(LoyaltyClock).set(T0 + 11 * DAY_MS);
    await Promise.all([h.call('POST', '/v1/loyalty/due-work'), h.call('POST', '/v1/loyalty/due-work')]);
    await ledger.waitFor((e) => e.type === 'PointsActivated', MEMBERS, 30_000);
    const activations = await h.sql<{ profile_id: string; n: string }>(`SELECT profile_id, count(*) AS n FROM loyalty.account_events WHERE type = 'PointsActivated' GROUP BY profile_id`);
    expect(activations).toHaveLength(MEMBERS);
    expect(activations.every((r) => Number(r.n) === 1)).toBe(true);
    const [{ active }] = await h.sql<{ active: string }>(`SELECT sum(active_points) AS active FROM loyalty.accounts`);
    expect(Number(active)).toBe(Array.from({ length: MEMBERS }, (_, i) => 10 + i).reduce((a, b) => a + b, 0));

    h.clock.set(T0 + 60 * DAY_MS);
    other.app.get(LoyaltyClock).set(T0 + 60 * DAY_MS);
    await ledger.waitFor((e) => e.type === 'PointsExpired', MEMBERS, 30_000);
    const [after] = await h.sql<{ active: string; expired: string; due: string }>(
      `SELECT sum(active_points) AS active,
              (SELECT count(*) FROM loyalty.account_events WHERE type = 'PointsExpired') AS expired,
              count(*) FILTER (WHERE next_due_at <= $1) AS due
       FROM loyalty.accounts`,
      [T0 + 60 * DAY_MS],
    );
    expect([Number(after.active), Number(after.expired), Number(after.due)]).toEqual([0, MEMBERS, 0]);
  });
});
