import { activityOf } from './activities.decider';
import type { ActivityRule, PurchaseRule } from './programme';
import { previewOrderPoints } from './preview';
import { DAY_MS, exampleProgramme, only, order, Scenario, T0, TIERS, types } from './spec-support';

const rule = (overrides: Partial<PurchaseRule> = {}): PurchaseRule => ({ id: 'base', name: 'base', kind: 'purchase', currency: 'USD', pointsPerUnit: 1, rounding: 'floor', ...overrides });
const credited = (s: Scenario, command: ReturnType<typeof order>) => only(s.when(command), 'PointsPending').map((e) => [e.data.cause.kind === 'order' ? e.data.cause.ruleId : '?', e.data.points]);

describe('earning on purchases', () => {
  it('credits points per currency unit, pending for the return window', () => {
    const s = new Scenario();
    const d = s.when(order('m1', 29.99, { orderId: 'A-1' }));
    expect(types(d)).toEqual(['OrderRecorded', 'PointsPending']);
    const [pending] = only(d, 'PointsPending');
    expect(pending.data).toMatchObject({ points: 29, activatesAt: T0 + 14 * DAY_MS, cause: { kind: 'order', orderId: 'A-1', ruleId: 'base' } });
    expect(s.summary('m1').points).toMatchObject({ active: 0, pending: 29 });
  });

  it('credits points active at once when the programme has no return window', () => {
    const s = new Scenario(exampleProgramme({ pendingDays: 0 }));
    expect(types(s.when(order('m1', 10)))).toEqual(['OrderRecorded', 'PointsEarned']);
    expect(s.summary('m1').points.active).toBe(10);
  });

  it.each([
    ['floor', 10.5, 10],
    ['ceil', 10.5, 11],
    ['ceil', 10, 10],
    ['half-up', 10.5, 11],
    ['half-up', 10.49, 10],
    ['half-even', 10.5, 10],
    ['half-even', 11.5, 12],
  ] as const)('rounds with the rule mode: %s of %d dollars is %d', (rounding, revenue, points) => {
    const s = new Scenario(exampleProgramme({ earningRules: [rule({ rounding })] }));
    expect(credited(s, order('m1', revenue))).toEqual([['base', points]]);
  });

  it('rounds once per order, not per line: three 50-cent lines at 1 point per dollar give 1 point under floor', () => {
    const s = new Scenario();
    expect(credited(s, order('m1', 1.5, { lines: [[0.5, 1], [0.5, 1], [0.5, 1]] }))).toEqual([['base', 1]]);
  });

  it('converts money by the currency exponent: a point per 100 yen, a point per 10 yuan', () => {
    const s = new Scenario(exampleProgramme({ earningRules: [rule({ id: 'jpy', currency: 'JPY', pointsPerUnit: 0.01 }), rule({ id: 'cny', currency: 'CNY', pointsPerUnit: 0.1 })] }));
    expect(credited(s, order('m1', 1999, { currency: 'JPY' }))).toEqual([['jpy', 19]]);
    expect(credited(s, order('m1', 199.9, { currency: 'CNY' }))).toEqual([['cny', 19]]);
  });

  it('is exact on amounts a float product gets wrong: 4.35 dollars at 100 points per dollar is 435, not 434', () => {
    const s = new Scenario(exampleProgramme({ earningRules: [rule({ pointsPerUnit: 100 })] }));
    expect(credited(s, order('m1', 4.35))).toEqual([['base', 435]]);
  });

  it('applies the highest matching multiplier per line and excludes lines by category, brand or SKU', () => {
    const s = new Scenario(
      exampleProgramme({
        earningRules: [
          rule({
            multipliers: [
              { match: { category: 'music' }, factor: 2 },
              { match: { brand: 'Acme' }, factor: 3 },
            ],
            exclusions: [{ sku: 'GIFT-CARD' }, { category: 'Tobacco' }],
          }),
        ],
      }),
    );
    const lines: [number, number, string?, string?, string?][] = [
      [10, 2, 'Music'], // 20 x2 = 40
      [5, 1, 'Music', 'ACME'], // 5 x3 = 15 (highest wins, case-insensitive)
      [50, 1, 'Cards', undefined, 'GIFT-CARD'], // excluded
      [8, 1, 'tobacco'], // excluded
      [7, 1, 'Books'], // 7
    ];
    expect(credited(s, order('m1', 90, { lines }))).toEqual([['base', 62]]);
  });

  it('scales lines down to the revenue when an order discount applies', () => {
    const s = new Scenario(exampleProgramme({ earningRules: [rule({ multipliers: [{ match: { category: 'Music' }, factor: 2 }] })] }));
    // lines 100 (music) + 100 (books), paid 150: music earns 75 x 2, books 75
    expect(credited(s, order('m1', 150, { lines: [[100, 1, 'Music'], [100, 1, 'Books']] }))).toEqual([['base', 225]]);
  });

  it('earns at factor 1 on revenue beyond the listed lines, and on the whole revenue without lines', () => {
    const s = new Scenario(exampleProgramme({ earningRules: [rule({ exclusions: [{ category: 'Cards' }] })] }));
    expect(credited(s, order('m1', 30, { lines: [[20, 1, 'Cards']] }))).toEqual([['base', 10]]);
    expect(credited(s, order('m1', 30))).toEqual([['base', 30]]);
  });

  it('uses the line total when the revenue is missing', () => {
    const s = new Scenario();
    expect(credited(s, order('m1', null, { lines: [[12.5, 2]] }))).toEqual([['base', 25]]);
  });

  it('gives nothing below the minimum order value, but records the order', () => {
    const s = new Scenario(exampleProgramme({ earningRules: [rule({ minimumOrderValue: 20 })] }));
    expect(types(s.when(order('m1', 19.99)))).toEqual(['OrderRecorded']);
    expect(credited(s, order('m1', 20))).toEqual([['base', 20]]);
  });

  it('gives nothing under a rule in another currency', () => {
    const s = new Scenario();
    expect(types(s.when(order('m1', 100, { currency: 'EUR' })))).toEqual(['OrderRecorded']);
  });

  it('credits each applicable rule as its own entry, within its validity window', () => {
    const march = Date.UTC(2024, 2, 1);
    const april = Date.UTC(2024, 3, 1);
    const s = new Scenario(exampleProgramme({ earningRules: [rule(), rule({ id: 'march-double', pointsPerUnit: 1, validFrom: march, validUntil: april })] }));
    expect(credited(s, order('m1', 10, { at: march - 1 }))).toEqual([['base', 10]]);
    expect(credited(s, order('m1', 10, { at: march }))).toEqual([['base', 10], ['march-double', 10]]);
    expect(credited(s, order('m1', 10, { at: april }))).toEqual([['base', 10]]);
  });

  it('targets rules by segment, tag and tier', () => {
    const s = new Scenario(
      exampleProgramme({
        tiers: TIERS,
        earningRules: [rule(), rule({ id: 'vip', targeting: { segments: ['vip'] } }), rule({ id: 'staff', targeting: { tags: ['staff'] } }), rule({ id: 'gold-only', targeting: { tiers: ['gold'] } })],
      }),
    );
    s.segments.add('m1|vip');
    s.tags.add('m2|staff');
    expect(credited(s, order('m1', 10))).toEqual([['base', 10], ['vip', 10]]);
    expect(credited(s, order('m2', 10))).toEqual([['base', 10], ['staff', 10]]);
  });

  it('limits uses per member per calendar period', () => {
    const s = new Scenario(exampleProgramme({ earningRules: [rule(), rule({ id: 'bonus', pointsPerUnit: 5, limit: { count: 2, period: 'month' } })] }));
    const jan = (day: number) => Date.UTC(2024, 0, day, 12);
    expect(credited(s, order('m1', 10, { at: jan(3) }))).toEqual([['base', 10], ['bonus', 50]]);
    expect(credited(s, order('m1', 10, { at: jan(4) }))).toEqual([['base', 10], ['bonus', 50]]);
    expect(credited(s, order('m1', 10, { at: jan(31) }))).toEqual([['base', 10]]);
    expect(credited(s, order('m2', 10, { at: jan(31) }))).toEqual([['base', 10], ['bonus', 50]]);
    expect(credited(s, order('m1', 10, { at: Date.UTC(2024, 1, 1) }))).toEqual([['base', 10], ['bonus', 50]]);
  });

  it('multiplies purchase points by the tier the member held before the order', () => {
    const s = new Scenario(exampleProgramme({ tiers: TIERS }));
    expect(credited(s, order('m1', 600))).toEqual([['base', 600]]); // reaches silver with this order
    expect(credited(s, order('m1', 100))).toEqual([['base', 125]]);
  });

  it('leaves out the tier multiplier for rules that opt out', () => {
    const s = new Scenario(exampleProgramme({ tiers: TIERS, earningRules: [rule({ tierMultiplier: false })] }));
    s.given(order('m1', 600));
    expect(credited(s, order('m1', 100))).toEqual([['base', 100]]);
  });

  it('credits nothing twice: the same event again, or the same order under another event id', () => {
    const s = new Scenario();
    s.given(order('m1', 10, { orderId: 'A', eventId: 'evt-1' }));
    expect(types(s.when(order('m1', 10, { orderId: 'A', eventId: 'evt-1' })))).toEqual([]);
    expect(types(s.when(order('m1', 10, { orderId: 'A', eventId: 'evt-2' })))).toEqual([]);
    expect(s.summary('m1').points.pending).toBe(10);
  });

  it('refuses an order with a negative amount', () => {
    const s = new Scenario();
    expect(s.when(order('m1', -5))).toMatchObject({ ok: false, rejection: { code: 'INVALID_AMOUNT' } });
  });

  it('previews what an order would earn without recording anything', () => {
    const s = new Scenario(exampleProgramme({ earningRules: [rule(), { id: 'welcome', name: 'welcome', kind: 'activity', activity: 'first_purchase', points: 100 }] }));
    const preview = previewOrderPoints(s.account('m1'), s.programme, { orderId: 'x', revenue: 42.5, currency: 'USD', products: [] }, T0, s.lookups);
    expect(preview).toEqual({ total: 142, pending: true, byRule: [{ ruleId: 'base', points: 42 }, { ruleId: 'welcome', points: 100 }] });
    expect(s.account('m1').version).toBe(0);
  });
});

describe('earning on activities', () => {
  const activity = (id: string, kind: ActivityRule['activity'], points: number, extra: Partial<ActivityRule> = {}): ActivityRule => ({ id, name: id, kind: 'activity', activity: kind, points, ...extra });
  const programme = exampleProgramme({
    earningRules: [
      rule(),
      activity('welcome', 'sign_up', 200),
      activity('first', 'first_purchase', 300),
      activity('review', 'review', 20, { limit: { count: 3, period: 'month' } }),
      activity('survey', 'survey_completed', 50),
      activity('birthday', 'birthday', 500, { limit: { count: 1, period: 'year' } }),
      activity('profile', 'profile_completed', 100, { limit: { count: 1, period: 'lifetime' } }),
      activity('app', 'custom', 30, { eventName: 'App Installed' }),
    ],
  });
  let n = 0;
  const act = (kind: Exclude<ActivityRule['activity'], 'first_purchase'>, at = T0, name: string | null = null) =>
    ({ type: 'RecordActivity', profileId: 'm1', eventId: `act-${(n += 1)}`, occurredAt: at, activity: kind, name }) as const;
  const earned = (s: Scenario, command: ReturnType<typeof act>) => only(s.when(command), 'PointsEarned').map((e) => e.data.points);

  it('credits sign-up points at once, with the activity as cause', () => {
    const s = new Scenario(programme);
    const d = s.when(act('sign_up'));
    expect(types(d)).toEqual(['ActivityRecorded', 'PointsEarned']);
    expect(only(d, 'PointsEarned')[0].data.cause).toMatchObject({ kind: 'activity', ruleId: 'welcome', activity: 'sign_up' });
    expect(s.summary('m1').points.active).toBe(200);
  });

  it('credits the first-purchase bonus on the first order only, pending like the purchase', () => {
    const s = new Scenario(programme);
    expect(credited(s, order('m1', 10))).toEqual([['base', 10], ['first', 300]]);
    expect(credited(s, order('m1', 10))).toEqual([['base', 10]]);
  });

  it('caps reviews at three a month', () => {
    const s = new Scenario(programme);
    expect([earned(s, act('review')), earned(s, act('review')), earned(s, act('review')), earned(s, act('review'))]).toEqual([[20], [20], [20], []]);
    expect(earned(s, act('review', Date.UTC(2024, 1, 1)))).toEqual([20]);
  });

  it('gives the birthday bonus once a year and the profile bonus once ever', () => {
    const s = new Scenario(programme);
    expect([earned(s, act('birthday')), earned(s, act('birthday')), earned(s, act('birthday', Date.UTC(2025, 0, 10)))]).toEqual([[500], [], [500]]);
    expect([earned(s, act('profile_completed')), earned(s, act('profile_completed', Date.UTC(2030, 0, 1)))]).toEqual([[100], []]);
    expect(earned(s, act('survey_completed'))).toEqual([50]);
  });

  it('matches custom events by name, ignoring case', () => {
    const s = new Scenario(programme);
    expect(earned(s, act('custom', T0, 'app installed'))).toEqual([30]);
    expect(earned(s, act('custom', T0, 'App Opened'))).toEqual([]);
  });

  it('records a replayed activity event once', () => {
    const s = new Scenario(programme);
    const command = act('survey_completed');
    s.given(command);
    expect(types(s.when(command))).toEqual([]);
    expect(s.summary('m1').points.active).toBe(50);
  });

  it('reads tracked event names as activities', () => {
    expect(activityOf('Signed Up')).toEqual({ activity: 'sign_up', name: 'Signed Up' });
    expect(activityOf('product_reviewed')).toEqual({ activity: 'review', name: 'product_reviewed' });
    expect(activityOf('Survey Completed').activity).toBe('survey_completed');
    expect(activityOf('Profile Completed').activity).toBe('profile_completed');
    expect(activityOf('Birthday').activity).toBe('birthday');
    expect(activityOf('App Installed')).toEqual({ activity: 'custom', name: 'App Installed' });
  });
});
