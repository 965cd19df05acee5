import type { NotificationRequested } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import type { AccountSummary, Programme } from '../src/domain';
import { DAY_MS, type LoyaltyHarness, orderCompleted, programme, resolved, SETUP_TIMEOUT_MS, startLoyalty } from './support/loyalty-harness';

const T0 = Date.UTC(2026, 2, 10, 9);
const base = '/v1/loyalty/programmes';

describe('loyalty API', () => {
  let h: LoyaltyHarness;
  const json = async <T>(res: Response, status: number): Promise<T> => {
    const text = await res.text();
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const adjust = (programmeId: string, profileId: string, body: unknown) => h.call('POST', `${base}/${programmeId}/accounts/${profileId}/adjustments`, body);
  const redeem = (programmeId: string, profileId: string, rewardId: string, key: string) => h.call('POST', `${base}/${programmeId}/accounts/${profileId}/redemptions`, { rewardId, idempotencyKey: key });
  const summary = async (programmeId: string, profileId: string) => json<AccountSummary>(await h.call('GET', `${base}/${programmeId}/accounts/${profileId}`), 200);
  const tokenFor = async (role: string) => (await json<{ token: string }>(await h.call('POST', '/v1/tokens', { name: `${role} token`, role }), 201)).token;

  beforeAll(async () => {
    h = await startLoyalty('loyalty-api');
    h.clock.set(T0);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.close();
  });

  describe('programme admin', () => {
    it('refuses an invalid programme with every problem and its JSON path', async () => {
      const bad = { ...programme('broken'), currency: 'dollars', earningRules: [{ id: 'x', name: 'x', kind: 'purchase', currency: 'USD', pointsPerUnit: -1, rounding: 'floor' }] };
      const problem = await json<{ code: string; problems: Array<{ path: string }> }>(await h.call('POST', base, { programme: bad }), 422);
      expect(problem.code).toBe('INVALID_PROGRAMME');
      expect(problem.problems.map((p) => p.path)).toEqual(['currency', 'earningRules[0].pointsPerUnit']);
      expect((await h.call('GET', `${base}/broken`)).status).toBe(404);
    });

    it('versions every change of rules, tiers and rewards, with who made it and why', async () => {
      await h.createProgramme(programme('admin-test'));
      const rule = { name: 'Double on vinyl', kind: 'purchase', currency: 'USD', pointsPerUnit: 2, rounding: 'floor', multipliers: [{ match: { category: 'Vinyl' }, factor: 3 }] };
      const v2 = await json<{ version: number; programme: Programme }>(await h.call('PUT', `${base}/admin-test/earning-rules/vinyl`, { rule, reason: 'spring campaign', expectedVersion: 1 }), 200);
      expect(v2.version).toBe(2);
      expect(v2.programme.earningRules.map((r) => r.id)).toEqual(['base', 'vinyl']);
      const stale = await json<{ code: string }>(await h.call('PUT', `${base}/admin-test/earning-rules/vinyl`, { rule, expectedVersion: 1 }), 409);
      expect(stale.code).toBe('PROGRAMME_VERSION_CONFLICT');
      const badTier = await json<{ problems: Array<{ path: string }> }>(
        await h.call('PUT', `${base}/admin-test/tiers`, { tiers: { metric: 'points', windowDays: 365, reviewPeriod: 'month', levels: [{ id: 'a', name: 'A', threshold: 5, earnMultiplier: 1 }] } }),
        422,
      );
      expect(badTier.problems.map((p) => p.path)).toEqual(['tiers.levels[0].threshold']);
      await json(await h.call('PUT', `${base}/admin-test/rewards/mug`, { reward: { name: 'Mug', cost: 100, grant: { kind: 'gift', sku: 'MUG' } } }), 200);
      await json(await h.call('DELETE', `${base}/admin-test/earning-rules/vinyl?reason=campaign%20over`), 200);
      const versions = await json<{ items: Array<{ version: number; reason: string | null; changedBy: string }> }>(await h.call('GET', `${base}/admin-test/versions`), 200);
      expect(versions.items.map((v) => [v.version, v.reason])).toEqual([
        [4, 'campaign over'],
        [3, null],
        [2, 'spring campaign'],
        [1, null],
      ]);
      expect(versions.items[0].changedBy).toContain('bootstrap');
      const audit = await json<{ items: Array<{ action: string; resource: { id: string }; outcome: string }> }>(await h.call('GET', '/v1/audit?resourceType=loyalty_earning_rule'), 200);
      expect(audit.items.map((a) => [a.action, a.resource.id, a.outcome])).toEqual(
        expect.arrayContaining([
          ['loyalty.rule.put', 'admin-test/vinyl', 'success'],
          ['loyalty.rule.put', 'admin-test/vinyl', 'failure'],
          ['loyalty.rule.delete', 'admin-test/vinyl', 'success'],
        ]),
      );
    });

    it('needs loyalty:write and the admin or marketer role to change a programme', async () => {
      const analyst = await tokenFor('analyst');
      expect((await h.call('GET', `${base}/admin-test`, undefined, { token: analyst })).status).toBe(200);
      const denied = await h.call('PUT', `${base}/admin-test/rewards/cap`, { reward: { name: 'Cap', cost: 5, grant: { kind: 'gift', sku: 'CAP' } } }, { token: analyst });
      expect(denied.status).toBe(403);
      expect((await h.call('GET', `${base}/admin-test`, undefined, { token: 'cdp_pat_nope' })).status).toBe(401);
      const marketer = await tokenFor('marketer');
      expect((await h.call('PUT', `${base}/admin-test/rewards/cap`, { reward: { name: 'Cap', cost: 5, grant: { kind: 'gift', sku: 'CAP' } } }, { token: marketer })).status).toBe(200);
    });
  });

  describe('adjustments', () => {
    beforeAll(async () => {
      await h.createProgramme(programme('adjust', { rewards: [{ id: 'five', name: 'Five off', cost: 5, grant: { kind: 'discount', amountOff: 5, percentOff: null, prefix: 'FIVE-' } }] }));
    });

    it('needs a reason, credits and debits with the operator on the entry, and ignores a retried adjustment', async () => {
      expect((await json<{ code: string }>(await adjust('adjust', 'dora', { points: 10 }), 422)).code).toBe('REASON_REQUIRED');
      const credit = await json<{ entry: { data: { cause: { actor: string; reason: string } } }; summary: AccountSummary }>(
        await adjust('adjust', 'dora', { points: 40, reason: 'goodwill for a late delivery', adjustmentId: 'adj-1' }),
        201,
      );
      expect(credit.entry.data.cause).toMatchObject({ reason: 'goodwill for a late delivery', actor: expect.stringContaining('bootstrap') });
      expect(credit.summary.points.active).toBe(40);
      expect((await json<{ created: boolean; summary: AccountSummary }>(await adjust('adjust', 'dora', { points: 40, reason: 'goodwill for a late delivery', adjustmentId: 'adj-1' }), 200)).summary.points.active).toBe(40);
      expect((await json<{ code: string }>(await adjust('adjust', 'dora', { points: -41, reason: 'correction' }), 409)).code).toBe('INSUFFICIENT_POINTS');
      expect((await json<{ summary: AccountSummary }>(await adjust('adjust', 'dora', { points: -15, reason: 'correction' }), 201)).summary.points.active).toBe(25);
      const audit = await json<{ items: Array<{ outcome: string; status: number; details: { created: boolean } | null }> }>(await h.call('GET', '/v1/audit?action=loyalty.adjust&resourceId=adjust%2Fdora'), 200);
      expect(audit.items.map((a) => [a.outcome, a.outcome === 'success' ? a.details?.created : a.status])).toEqual([
        ['success', true],
        ['failure', 409],
        ['success', false],
        ['success', true],
        ['failure', 422],
      ]);
    });

    it('creates a new member\'s account once when its first commands race', async () => {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => adjust('adjust', 'newcomer', { points: i + 1, reason: 'welcome gift' })));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
      expect((await summary('adjust', 'newcomer')).points.active).toBe(55);
      const [{ n }] = await h.sql<{ n: string }>(`SELECT max(seq) AS n FROM loyalty.account_events WHERE programme_id = 'adjust' AND profile_id = 'newcomer'`);
      expect(Number(n)).toBe(10);
    });

    it('pages the history newest first with a cursor that later entries do not shift', async () => {
      for (let i = 1; i <= 3; i += 1) {
        h.clock.set(T0 + i * 1000);
        await json(await adjust('adjust', 'erin', { points: i * 10, reason: `credit ${i}` }), 201);
      }
      const first = await json<{ items: Array<{ data: { points: number } }>; nextCursor: string }>(await h.call('GET', `${base}/adjust/accounts/erin/history?limit=2`), 200);
      expect(first.items.map((i) => i.data.points)).toEqual([30, 20]);
      await json(await adjust('adjust', 'erin', { points: 99, reason: 'later' }), 201);
      const second = await json<{ items: Array<{ data: { points: number } }>; nextCursor: string | null }>(await h.call('GET', `${base}/adjust/accounts/erin/history?limit=2&cursor=${first.nextCursor}`), 200);
      expect(second).toMatchObject({ items: [{ data: { points: 10 } }], nextCursor: null });
      expect((await json<{ code: string }>(await h.call('GET', `${base}/adjust/accounts/erin/history?cursor=x`), 400)).code).toBe('INVALID_CURSOR');
    });
  });

  describe('redemptions', () => {
    beforeAll(async () => {
      h.clock.set(T0);
      await h.createProgramme(
        programme('rewards', {
          rewards: [
            { id: 'coffee', name: 'Coffee', cost: 30, grant: { kind: 'coupon', codes: { source: 'generated', prefix: 'COF-' } } },
            { id: 'tote', name: 'Tote bag', cost: 10, grant: { kind: 'coupon', codes: { source: 'pool', poolId: 'totes' } } },
          ],
        }),
      );
    });

    it('never overdraws an account, however many redemptions race (100 at once)', async () => {
      await json(await adjust('rewards', 'frank', { points: 1000, reason: 'test balance' }), 201);
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => redeem('rewards', 'frank', 'coffee', `race-${i}`)));
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(33);
      expect(statuses.filter((s) => s === 409)).toHaveLength(67);
      const refused = await Promise.all(answers.filter((a) => a.status === 409).map((a) => a.json() as Promise<{ code: string }>));
      expect(new Set(refused.map((r) => r.code))).toEqual(new Set(['INSUFFICIENT_POINTS']));
      expect((await summary('rewards', 'frank')).points).toMatchObject({ active: 10, spent: 990 });
      const [row] = await h.sql<{ n: string; active: string }>(
        `SELECT (SELECT count(*) FROM loyalty.account_events WHERE programme_id = 'rewards' AND profile_id = 'frank' AND type = 'PointsRedeemed') AS n,
                (SELECT active_points FROM loyalty.accounts WHERE programme_id = 'rewards' AND profile_id = 'frank') AS active`,
      );
      expect([Number(row.n), Number(row.active)]).toEqual([33, 10]);
    });

    it('answers a retried redemption with its first outcome and spends nothing again', async () => {
      await json(await adjust('rewards', 'gina', { points: 100, reason: 'test balance' }), 201);
      const first = await json<{ redemption: { redemptionId: string; grant: { code: string } } }>(await redeem('rewards', 'gina', 'coffee', 'order-77'), 201);
      expect(first.redemption.grant.code).toMatch(/^COF-[0-9A-Z]{10}$/);
      const again = await json<{ redemption: { redemptionId: string }; summary: AccountSummary }>(await redeem('rewards', 'gina', 'coffee', 'order-77'), 200);
      expect(again.redemption.redemptionId).toBe(first.redemption.redemptionId);
      expect(again.summary.points.active).toBe(70);
      expect((await json<{ code: string }>(await redeem('rewards', 'gina', 'tote', 'order-77'), 409)).code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect((await h.call('POST', `${base}/rewards/accounts/gina/redemptions`, { rewardId: 'coffee' })).status).toBe(400);
    });

    it('hands out each pool code once, and refuses when the pool is empty', async () => {
      await json(await h.call('POST', `${base}/rewards/coupon-pools/totes/codes`, { codes: ['TOTE-A', 'TOTE-B', 'TOTE-A'] }), 201);
      await json(await adjust('rewards', 'hugo', { points: 100, reason: 'test balance' }), 201);
      const answers = await Promise.all([1, 2, 3].map((i) => redeem('rewards', 'hugo', 'tote', `tote-${i}`)));
      const granted = await Promise.all(answers.filter((a) => a.status === 201).map(async (a) => ((await a.json()) as { redemption: { grant: { code: string } } }).redemption.grant.code));
      expect(granted.sort()).toEqual(['TOTE-A', 'TOTE-B']);
      const empty = answers.find((a) => a.status === 409);
      expect(((await empty!.json()) as { code: string }).code).toBe('COUPON_POOL_EMPTY');
      expect(await json(await h.call('GET', `${base}/rewards/coupon-pools/totes`), 200)).toEqual({ poolId: 'totes', available: 0, claimed: 2 });
      expect((await summary('rewards', 'hugo')).points.active).toBe(80);
    });
  });

  describe('referrals and tiers', () => {
    beforeAll(async () => {
      await h.createProgramme(
        programme('club', {
          pendingDays: 0,
          referral: { referrerPoints: 200, refereePoints: 100, minimumOrderValue: 20, referrerLimit: null },
          tiers: {
            metric: 'spend',
            windowDays: 365,
            reviewPeriod: 'year',
            levels: [
              { id: 'normal', name: '普通', threshold: 0, earnMultiplier: 1 },
              { id: 'silver', name: '银卡', threshold: 100, earnMultiplier: 1.5 },
              { id: 'gold', name: '金卡', threshold: 500, earnMultiplier: 2 },
            ],
          },
        }),
      );
    });

    it('rewards referrer and referee on the referee first purchase, and refuses self-referral', async () => {
      const { code } = await json<{ code: string }>(await h.call('POST', `${base}/club/accounts/ivan/referral-code`), 201);
      expect((await json<{ code: string }>(await h.call('POST', `${base}/club/accounts/ivan/referral-code`), 200)).code).toBe(code);
      expect((await json<{ code: string }>(await h.call('POST', `${base}/club/accounts/ivan/referrer`, { code }), 422)).code).toBe('SELF_REFERRAL');
      await h.sendResolved([resolved('judy', { event: 'Signed Up', timestamp: T0, properties: { referral_code: code } }), orderCompleted('judy', 'j-1', 25, { at: T0 + 1000 })]);
      await h.caughtUp();
      expect((await summary('club', 'judy')).points.active).toBe(125);
      expect((await summary('club', 'ivan')).points.active).toBe(200);
    });

    it('upgrades at once on spend, shows progress to the next tier, and announces the change', async () => {
      const notices = await h.read<NotificationRequested>(TOPICS.loyaltyNotifications);
      await h.sendResolved([orderCompleted('kim', 'k-1', 120, { at: T0 - DAY_MS }), orderCompleted('kim', 'k-2', 100, { at: T0 - DAY_MS + 1000 })]);
      await h.caughtUp();
      const s = await summary('club', 'kim');
      // k-2 earns at the silver multiplier k-1 reached: 120 + 150.
      expect(s.points.active).toBe(270);
      expect(s.tier).toMatchObject({ tier: { id: 'silver', name: '银卡' }, metric: 'spend', value: 220, next: { id: 'gold', remaining: 280 } });
      await json(await h.call('POST', '/v1/loyalty/due-work'), 200);
      const [notice] = await notices.waitFor((n) => n.data.profileId === 'kim' && n.data.kind === 'tier-changed');
      expect(notice.value.data).toMatchObject({ tierFrom: 'normal', tierTo: 'silver', tierToName: '银卡', direction: 'up' });
    });
  });
});
