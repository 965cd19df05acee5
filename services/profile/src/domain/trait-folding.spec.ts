import fc from 'fast-check';
import { effectiveTraits, foldTraits, supersedes, type TraitFact } from './trait-folding';

const fact = (name: string, value: TraitFact['value'], at: number, eventId = `e${at}`, mode: TraitFact['mode'] = 'set'): TraitFact => ({ name, value, at, eventId, mode });
const values = (facts: TraitFact[]) => Object.fromEntries([...effectiveTraits(facts)].map(([name, f]) => [name, f.value]));

describe('trait folding', () => {
  it('keeps the value of the latest event when an older event arrives late', () => {
    // given the plan set at 10:00, when the 09:00 event arrives afterwards
    const facts = [fact('plan', 'gold', 10), fact('plan', 'silver', 9)];
    // then gold stays
    expect(values(facts)).toEqual({ plan: 'gold' });
  });

  it('keeps the earliest value of a set-once trait, and lets a plain set override it', () => {
    expect(values([fact('firstSource', 'ads', 5, 'e5', 'once'), fact('firstSource', 'seo', 3, 'e3', 'once')])).toEqual({ firstSource: 'seo' });
    expect(values([fact('firstSource', 'seo', 3, 'e3', 'once'), fact('firstSource', 'crm', 1, 'e1')])).toEqual({ firstSource: 'crm' });
  });

  it('removes a trait unset by a newer event, and an older event does not bring it back', () => {
    expect(values([fact('coupon', 'X', 1), fact('coupon', null, 2), fact('coupon', 'Y', 1, 'e0')])).toEqual({});
  });

  it('breaks ties on event time by event id, whatever the arrival order', () => {
    const a = fact('tier', 'a', 7, 'ev-a');
    const b = fact('tier', 'b', 7, 'ev-b');
    expect(supersedes(b, a)).toBe(true);
    expect(supersedes(a, b)).toBe(false);
  });

  it('gives the same traits for any arrival order of the same events (property)', () => {
    const arbFact = fc.record({
      name: fc.constantFrom('plan', 'city', 'tier'),
      value: fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null)),
      at: fc.integer({ min: 0, max: 20 }),
      eventId: fc.string({ minLength: 1, maxLength: 4 }),
      mode: fc.constantFrom<TraitFact['mode']>('set', 'once'),
    });
    fc.assert(
      fc.property(fc.uniqueArray(arbFact, { selector: (f) => `${f.eventId}/${f.name}/${f.mode}` }), fc.func(fc.integer()), (facts, rank) => {
        const shuffled = [...facts].sort((x, y) => rank(x.eventId + x.name) - rank(y.eventId + y.name));
        expect(values(shuffled)).toEqual(values(facts));
        // folding a batch first, then the stored winners with the next batch, is the same as folding everything
        const half = Math.floor(shuffled.length / 2);
        const stored = [...foldTraits(shuffled.slice(0, half)).values()];
        expect(values([...stored, ...shuffled.slice(half)])).toEqual(values(facts));
      }),
    );
  });
});
