import { type Programme, validateProgramme } from './programme';
import { exampleProgramme, TIERS } from './spec-support';

describe('programme validation', () => {
  it('accepts a complete programme', () => {
    expect(validateProgramme(exampleProgramme({ tiers: TIERS, referral: { referrerPoints: 100, refereePoints: 50, minimumOrderValue: null, referrerLimit: null } }))).toEqual([]);
  });

  it('names every problem by path', () => {
    const problems = validateProgramme(
      exampleProgramme({
        currency: 'usd',
        timeZone: 'Mars/Olympus',
        pendingDays: -1,
        expiry: { kind: 'rolling', days: 0 },
        earningRules: [
          { id: 'a', name: 'a', kind: 'purchase', currency: 'USD', pointsPerUnit: 0, rounding: 'nearest' as 'floor', multipliers: [{ match: {}, factor: 2 }] },
          { id: 'a', name: 'dup', kind: 'activity', activity: 'custom', points: 1.5 },
        ],
        tiers: { ...TIERS, levels: [{ id: 'x', name: 'x', threshold: 10, earnMultiplier: 1 }, { id: 'y', name: 'y', threshold: 5, earnMultiplier: 1 }] },
        rewards: [
          { id: 'r', name: 'r', cost: 0, grant: { kind: 'discount', amountOff: 5, percentOff: 10, prefix: '' } },
          { id: 's', name: 's', cost: 10, grant: { kind: 'gift', sku: 'G' }, minimumTier: 'platinum' },
        ],
      }),
    );
    expect(problems.map((p) => p.path)).toEqual([
      'currency',
      'timeZone',
      'pendingDays',
      'expiry.days',
      'earningRules[0].pointsPerUnit',
      'earningRules[0].rounding',
      'earningRules[0].multipliers[0].match',
      'earningRules[1].id',
      'earningRules[1].eventName',
      'earningRules[1].points',
      'tiers.levels[0].threshold',
      'tiers.levels[1].threshold',
      'rewards[0].cost',
      'rewards[0].grant',
      'rewards[1].minimumTier',
    ]);
  });

  it('reports a document of the wrong shape as problems instead of failing on it', () => {
    const json = (value: unknown) => value as Programme;
    expect(validateProgramme(json(null))).toEqual([{ path: '', message: 'must be an object' }]);
    expect(validateProgramme(json([]))).toEqual([{ path: '', message: 'must be an object' }]);
    const problems = validateProgramme(json({ ...exampleProgramme(), name: '', earningRules: 'all', rewards: [null], tiers: { ...TIERS, levels: 'gold' }, referral: 5 }));
    expect(problems.map((p) => p.path)).toEqual(['name', 'earningRules', 'tiers.levels', 'rewards[0]', 'referral']);
  });

  it('requires the lists the decisions read', () => {
    const { earningRules: _rules, rewards: _rewards, ...rest } = exampleProgramme();
    expect(validateProgramme(rest as Programme).map((p) => p.path)).toEqual(['earningRules', 'rewards']);
  });
});
