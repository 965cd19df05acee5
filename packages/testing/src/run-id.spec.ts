import { newRunId, runStartedAt } from './run-id';

describe('run ids', () => {
  it('are 8 lower-case base36 chars that tell when the run started (to the second)', () => {
    const now = Date.UTC(2027, 0, 15, 10, 30, 12, 345);
    const id = newRunId(now);
    expect(id).toMatch(/^[0-9a-z]{8}$/);
    expect(runStartedAt(id)).toBe(Date.UTC(2027, 0, 15, 10, 30, 12));
  });

  it('differ between runs started in the same second', () => {
    const now = Date.UTC(2027, 0, 15);
    const ids = new Set(Array.from({ length: 20 }, () => newRunId(now)));
    expect(ids.size).toBeGreaterThan(1);
  });

  it('give no start time for ids of another shape or from before they carried one', () => {
    expect(runStartedAt('t-abc')).toBeUndefined();
    expect(runStartedAt('e1m03ow3')).toBeUndefined();
  });
});
