import { newRunId } from '../run-id';
import { isStaleRun, runIdOf, STALE_RUN_AGE_MS } from './prune-stale-runs';

const now = Date.UTC(2027, 0, 15, 12);

describe('stale run detection', () => {
  it('finds the run id in harness-made database and topic names only', () => {
    expect(runIdOf('cdp_test_tq2x1c9a_identity_a1b2c3')).toBe('tq2x1c9a');
    expect(runIdOf('cdp_test_tq2x1c9a_a1b2c3')).toBe('tq2x1c9a');
    expect(runIdOf('t-tq2x1c9a-ingest-a1b2c3.cdp.ingest.events')).toBe('tq2x1c9a');
    expect(runIdOf('cdp.ingest.events')).toBeUndefined();
    expect(runIdOf('cdp')).toBeUndefined();
    expect(runIdOf('my_test_db')).toBeUndefined();
  });

  it('treats a run as dead only once it is older than any run can last', () => {
    expect(isStaleRun(newRunId(now - STALE_RUN_AGE_MS - 60_000), now)).toBe(true);
    expect(isStaleRun(newRunId(now - 60 * 60_000), now)).toBe(false);
    expect(isStaleRun(newRunId(now), now)).toBe(false);
  });

  it('never judges ids it cannot date', () => {
    expect(isStaleRun('e1m03ow3', now)).toBe(false);
  });
});
