import fc from 'fast-check';
import { type AccountState, activeBalance, pendingBalance } from './account';
import type { LoyaltyCommand } from './commands';
import type { Programme } from './programme';
import { DAY_MS, exampleProgramme, Scenario, T0, TIERS } from './spec-support';
import { pointsConserved } from './summary';

const PROFILES = ['a', 'b', 'c'] as const;
const programme: Programme = exampleProgramme({
  pendingDays: 7,
  expiry: { kind: 'rolling', days: 60 },
  tiers: { ...TIERS, windowDays: 90, levels: TIERS.levels.map((l) => ({ ...l, threshold: l.threshold / 10 })) },
  earningRules: [
    { id: 'base', name: 'base', kind: 'purchase', currency: 'USD', pointsPerUnit: 1, rounding: 'half-even', multipliers: [{ match: { category: 'Music' }, factor: 1.5 }], exclusions: [{ sku: 'GIFT' }] },
    { id: 'promo', name: 'promo', kind: 'purchase', currency: 'USD', pointsPerUnit: 0.3, rounding: 'ceil', minimumOrderValue: 50, limit: { count: 2, period: 'month' } },
    { id: 'first', name: 'first', kind: 'activity', activity: 'first_purchase', points: 40 },
    { id: 'review', name: 'review', kind: 'activity', activity: 'review', points: 15, limit: { count: 3, period: 'week' } },
    { id: 'signup', name: 'signup', kind: 'activity', activity: 'sign_up', points: 25 },
  ],
  rewards: [
    { id: 'small', name: 'small', cost: 20, grant: { kind: 'coupon', codes: { source: 'generated', prefix: 'S-' } } },
    { id: 'mid', name: 'mid', cost: 75, grant: { kind: 'discount', amountOff: 5, percentOff: null, prefix: 'M-' } },
    { id: 'big', name: 'big', cost: 160, grant: { kind: 'gift', sku: 'BIG' } },
  ],
  referral: { referrerPoints: 30, refereePoints: 20, minimumOrderValue: 10, referrerLimit: null },
});

type Step =
  | { kind: 'order'; p: number; n: number; cents: number; music: boolean; gift: boolean }
  | { kind: 'refund'; p: number; pick: number; cents: number | null; cancel: boolean }
  | { kind: 'activity'; p: number; activity: 'review' | 'sign_up' }
  | { kind: 'redeem'; p: number; reward: string; key: number }
  | { kind: 'adjust'; p: number; points: number; id: number }
  | { kind: 'advance'; days: number }
  | { kind: 'tick'; p: number }
  | { kind: 'merge'; survivor: number; merged: number; id: number }
  | { kind: 'split'; pick: number }
  | { kind: 'referral'; owner: number; referee: number };

const p = fc.integer({ min: 0, max: PROFILES.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('order' as const), p, n: fc.integer({ min: 0, max: 3 }), cents: fc.integer({ min: 0, max: 40000 }), music: fc.boolean(), gift: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('refund' as const), p, pick: fc.nat(), cents: fc.option(fc.integer({ min: 1, max: 30000 })), cancel: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('activity' as const), p, activity: fc.constantFrom('review' as const, 'sign_up' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('redeem' as const), p, reward: fc.constantFrom('small', 'mid', 'big'), key: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('adjust' as const), p, points: fc.integer({ min: -150, max: 150 }).filter((x) => x !== 0), id: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 0, max: 45 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), p }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('merge' as const), survivor: p, merged: p, id: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('split' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('referral' as const), owner: p, referee: p }) },
);

/** The command a step stands for, at the scenario's clock; null for clock steps. Ids depend only on the step, so a replay repeats them. */
function commandOf(s: Scenario, x: Step, index: number): LoyaltyCommand[] {
  const at = s.now;
  const id = (i: number) => PROFILES[i];
  switch (x.kind) {
    case 'order': {
      const orderId = `${id(x.p)}-o${x.n}`;
      const products = [
        { sku: x.gift ? 'GIFT' : 'CD-1', category: x.music ? 'Music' : 'Books', brand: null, price: x.cents / 200, quantity: 2 },
        { sku: 'CD-2', category: 'Music', brand: null, price: 4.99, quantity: 1 },
      ];
      return [{ type: 'RecordOrder', profileId: id(x.p), eventId: `order:${orderId}`, occurredAt: at, order: { orderId, revenue: x.cents / 100, currency: 'USD', products } }];
    }
    case 'refund': {
      // One of the orders in the member's account (after merges, its survivor's), or one it never placed.
      let account = s.account(id(x.p));
      while (account.status.kind === 'merged') account = s.account(account.status.into);
      const orders = [...Object.keys(account.orders), 'never-placed'];
      return [{ type: 'RecordRefund', profileId: id(x.p), eventId: `refund:${index}`, occurredAt: at, orderId: orders[x.pick % orders.length], amount: x.cents === null ? null : x.cents / 100, currency: 'USD', reason: x.cancel ? 'cancellation' : 'refund' }];
    }
    case 'activity':
      return [{ type: 'RecordActivity', profileId: id(x.p), eventId: `activity:${index}`, occurredAt: at, activity: x.activity, name: null }];
    case 'redeem':
      return [{ type: 'RedeemReward', profileId: id(x.p), rewardId: x.reward, idempotencyKey: `${id(x.p)}-k${x.key}` }];
    case 'adjust':
      return [{ type: 'AdjustPoints', profileId: id(x.p), adjustmentId: `${id(x.p)}-adj${x.id}`, points: x.points, actor: 'ops', reason: 'property test' }];
    case 'advance':
      s.advanceDays(x.days);
      return [];
    case 'tick':
      return [{ type: 'ProcessDueWork', profileId: id(x.p) }];
    case 'merge':
      return [{ type: 'MergeAccounts', mergeId: `merge-${x.id}`, survivorProfileId: id(x.survivor), mergedProfileIds: [id(x.merged)], occurredAt: at }];
    case 'split': {
      // Undo one of the merges in effect, as identity would.
      const merged = [...s.accounts.values()].filter((a) => a.status.kind === 'merged');
      const target = merged[x.pick % Math.max(1, merged.length)];
      if (!target || target.status.kind !== 'merged') return [];
      return [{ type: 'SplitAccounts', splitId: `split-${index}`, undoneMergeId: target.status.mergeId, profileId: target.status.into, restoredProfileIds: [target.profileId], occurredAt: at }];
    }
    case 'referral': {
      const code = s.account(id(x.owner)).referral.code;
      return code
        ? [{ type: 'ApplyReferralCode', profileId: id(x.referee), code, eventId: `referral:${index}`, occurredAt: at }]
        : [{ type: 'IssueReferralCode', profileId: id(x.owner) }];
    }
  }
}

function checkInvariants(accounts: Iterable<AccountState>): void {
  let transferredIn = 0;
  let transferredOut = 0;
  for (const account of accounts) {
    for (const lot of Object.values(account.lots)) expect(lot.remaining).toBeGreaterThanOrEqual(0);
    expect(activeBalance(account)).toBeGreaterThanOrEqual(0);
    expect(pendingBalance(account)).toBeGreaterThanOrEqual(0);
    expect(pointsConserved(account)).toBe(true);
    transferredIn += account.totals.transferredIn;
    transferredOut += account.totals.transferredOut;
  }
  expect(transferredIn).toBe(transferredOut);
}

/** Runs the steps; returns the input commands that recorded something (what a replay would deliver again). */
function play(s: Scenario, steps: Step[]): LoyaltyCommand[] {
  const accepted: LoyaltyCommand[] = [];
  steps.forEach((x, index) => {
    for (const command of commandOf(s, x, index)) {
      const decision = s.run(command);
      // Inputs that left a trace; one that decided nothing (a merge of an account already merged) has no cause in the state to recognise.
      if (decision.ok && decision.events.length > 0 && command.type !== 'ProcessDueWork' && command.type !== 'IssueReferralCode') accepted.push(command);
      checkInvariants(s.accounts.values());
    }
  });
  return accepted;
}

describe('ledger properties', () => {
  it('never lets a balance go negative, and conserves points, under any interleaving of commands', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60, size: 'max' }), (steps) => {
        play(new Scenario(programme), steps);
      }),
      { numRuns: 150 },
    );
  });

  it('changes nothing when every recorded input is delivered again', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 50, size: 'max' }), (steps) => {
        const s = new Scenario(programme);
        const accepted = play(s, steps);
        const before = structuredClone(new Map(s.accounts));
        for (const command of accepted) {
          const decision = s.run(command);
          if (decision.ok) expect({ command, events: decision.events }).toEqual({ command, events: [] });
        }
        expect(s.accounts).toEqual(before);
      }),
      { numRuns: 100 },
    );
  });

  it('restores both accounts’ summaries when a merge is undone', () => {
    const history = fc.array(step.filter((x) => x.kind !== 'merge' && x.kind !== 'split'), { maxLength: 40, size: 'max' });
    fc.assert(
      fc.property(history, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), (steps, survivor, merged) => {
        fc.pre(survivor !== merged);
        const s = new Scenario(programme);
        play(s, steps);
        const [a, b] = [PROFILES[survivor], PROFILES[merged]];
        s.given({ type: 'ProcessDueWork', profileId: a }, { type: 'ProcessDueWork', profileId: b });
        const before = [s.summary(a), s.summary(b)];
        s.given({ type: 'MergeAccounts', mergeId: 'm', survivorProfileId: a, mergedProfileIds: [b], occurredAt: s.now });
        expect(s.summary(a).points.active + s.summary(a).points.pending).toBe(before[0].points.active + before[0].points.pending + before[1].points.active + before[1].points.pending);
        s.given({ type: 'SplitAccounts', splitId: 's', undoneMergeId: 'm', profileId: a, restoredProfileIds: [b], occurredAt: s.now });
        expect([s.summary(a), s.summary(b)]).toEqual(before);
        checkInvariants(s.accounts.values());
      }),
      { numRuns: 150 },
    );
  });

  it('accepts a redemption exactly when the active balance covers it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.array(fc.constantFrom('small', 'mid', 'big'), { minLength: 1, maxLength: 12 }), (points, wanted) => {
        const s = new Scenario(programme);
        s.now = T0;
        if (points > 0) s.given({ type: 'AdjustPoints', profileId: 'a', adjustmentId: 'seed', points, actor: 'ops', reason: 'seed' });
        s.now = T0 + DAY_MS;
        let spent = 0;
        wanted.forEach((rewardId, i) => {
          const cost = programme.rewards.find((r) => r.id === rewardId)?.cost ?? 0;
          const decision = s.run({ type: 'RedeemReward', profileId: 'a', rewardId, idempotencyKey: `k${i}` });
          expect(decision.ok).toBe(spent + cost <= points);
          if (decision.ok) spent += cost;
        });
        expect(s.summary('a').points).toMatchObject({ active: points - spent, spent });
      }),
    );
  });
});
