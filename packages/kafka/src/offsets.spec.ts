import { compareOffsets, firstBatchDecision, flattenAssignment, nextOffsetAfter, unappliedMessages } from './offsets';

describe('offset bookkeeping', () => {
  it('resumes after the highest offset, beyond 2^53 too', () => {
    expect(nextOffsetAfter([{ offset: '41' }, { offset: '7' }])).toBe('42');
    expect(nextOffsetAfter([{ offset: '9007199254740993' }])).toBe('9007199254740994');
    expect(() => nextOffsetAfter([])).toThrow(RangeError);
  });

  it('compares offsets numerically, not as strings', () => {
    expect(compareOffsets('9', '10')).toBe(-1);
    expect(compareOffsets('10', '10')).toBe(0);
  });

  it('skips messages below the stored position (already applied before a crash)', () => {
    const batch = ['8', '9', '10', '11'].map((offset) => ({ offset }));
    expect(unappliedMessages(batch, '10').map((m) => m.offset)).toEqual(['10', '11']);
    expect(unappliedMessages(batch, null)).toHaveLength(4);
    expect(unappliedMessages(batch, '12')).toEqual([]);
  });

  describe('first batch after an assignment', () => {
    it('processes a batch fetched exactly from, or before, the stored position', () => {
      expect(firstBatchDecision({ storedNext: '100', fetchedOffset: '100', alreadySought: false })).toEqual({ action: 'process' });
      expect(firstBatchDecision({ storedNext: '100', fetchedOffset: '90', alreadySought: false })).toEqual({ action: 'process' });
    });

    it('seeks back when Kafka handed out messages past the stored position (would leave a gap)', () => {
      expect(firstBatchDecision({ storedNext: '100', fetchedOffset: '120', alreadySought: false })).toEqual({ action: 'seek', offset: '100' });
    });

    it('accepts the broker position after seeking, when the stored offset is gone from the log', () => {
      expect(firstBatchDecision({ storedNext: '100', fetchedOffset: '120', alreadySought: true })).toEqual({ action: 'process' });
    });

    it('takes whatever comes for a group that never stored a position', () => {
      expect(firstBatchDecision({ storedNext: null, fetchedOffset: '120', alreadySought: false })).toEqual({ action: 'process' });
    });
  });

  it('flattens a group assignment', () => {
    expect(flattenAssignment({ a: [0, 2], b: [1] })).toEqual([
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 2 },
      { topic: 'b', partition: 1 },
    ]);
  });
});
