import type { ProfileChanged } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import { type ProfileHarness, resolvedEvent, SETUP_TIMEOUT_MS, startProfile } from './support/profile-harness';

describe('profile projection (resolved events over Kafka into Postgres)', () => {
  let h: ProfileHarness;

  beforeAll(async () => {
    h = await startProfile('profile-projection');
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  it('keeps the newest trait when an older event arrives late, and announces the change', async () => {
    const changes = await h.read<ProfileChanged>(TOPICS.profileChanged);
    const t = Date.UTC(2026, 2, 1);
    await h.resolve([resolvedEvent('p-late', { type: 'identify', timestamp: t + 60_000, traits: { plan: 'gold', $set_once: { firstSource: 'seo' } } })]);
    await h.caughtUp();
    await h.resolve([resolvedEvent('p-late', { type: 'identify', timestamp: t, traits: { plan: 'silver', $set_once: { firstSource: 'ads' } } })]);
    await h.caughtUp();
    const [view] = await h.sql<{ traits: Record<string, unknown>; version: string }>(`SELECT traits, version FROM profile.views WHERE profile_id = 'p-late'`);
    expect(view.traits).toEqual({ plan: 'gold', firstSource: 'ads' });
    const records = await changes.waitFor((c) => c.data.profileId === 'p-late', 2);
    expect(records.map((r) => r.value.data.version)).toEqual([1, 2]);
    expect(records[1].value.data.changes.map((c) => ({ ...c }))).toContainEqual({ field: 'traits.firstSource', oldValue: '"seo"', newValue: '"ads"', valueTimestamp: t });
  });
});
