import { TOPICS } from '@cdp/contracts';
import { type AnalyticsHarness, resolvedRecords, SETUP_TIMEOUT_MS, startAnalytics } from './support/analytics-harness';
import { orderCompleted, product, PROFILE_SPLIT, PROFILES_MERGED, profileSplit, profilesMerged, resolvedEvent } from './support/resolved-events';

interface Page {
  profileId: string;
  canonicalProfileId: string;
  profileIds: string[];
  events: Array<{ id: string; type: string; event: string | null; occurredAt: string; resolvedProfileId: string; commerce: { orderId: string; revenue: number } | null }>;
  nextCursor: string | null;
}

const base = Date.UTC(2026, 3, 1);
const minute = 60_000;

describe('GET /v1/profiles/:id/events', () => {
  let h: AnalyticsHarness;
  const profileId = "tl-o'brien\\1";
  // 25 events; every third shares its time with the one before, so pages must order ties by id.
  const events = Array.from({ length: 25 }, (_, i) => {
    const occurredAt = base + (i - (i % 3 === 2 ? 1 : 0)) * minute;
    if (i % 5 === 0) return orderCompleted({ profileId, occurredAt, orderId: `tl-${i}`, revenue: i, products: [product()] });
    return resolvedEvent({ profileId, occurredAt, type: i % 2 === 0 ? 'page' : 'track', event: 'Product Viewed', name: 'Catalogue' });
  });
  const newestFirst = [...events].sort((a, b) => b.occurredAt - a.occurredAt || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0)).map((e) => e.id);

  beforeAll(async () => {
    h = await startAnalytics('analytics-timeline');
    await h.produce(TOPICS.identityResolvedEvents, resolvedRecords(events));
    await h.waitUntilConsumed(TOPICS.identityResolvedEvents);
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  const page = async (id: string, query: Record<string, string | string[]> = {}): Promise<Page> => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) for (const value of Array.isArray(v) ? v : [v]) params.append(k, value);
    const res = await h.api('GET', `/v1/profiles/${encodeURIComponent(id)}/events?${params}`);
    expect(res.status).toBe(200);
    return (await res.json()) as Page;
  };

  const everything = async (id: string, query: Record<string, string | string[]>, between?: () => Promise<void>): Promise<string[]> => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const next: Page = await page(id, cursor ? { ...query, cursor } : query);
      seen.push(...next.events.map((e) => e.id));
      cursor = next.nextCursor;
      if (between) await between();
    } while (cursor);
    return seen;
  };

  it('pages through the whole timeline newest first, without gaps or repeats', async () => {
    const first = await page(profileId, { limit: '7' });
    expect(first.events).toHaveLength(7);
    expect(first.nextCursor).not.toBeNull();
    expect(await everything(profileId, { limit: '7' })).toEqual(newestFirst);
  });

  it('keeps its place while new events arrive between pages', async () => {
    let added = false;
    const seen = await everything(profileId, { limit: '10' }, async () => {
      if (added) return;
      added = true;
      await h.produce(TOPICS.identityResolvedEvents, resolvedRecords([resolvedEvent({ profileId, occurredAt: base + 60 * minute, type: 'track', event: 'Late' })]));
      await h.waitUntilConsumed(TOPICS.identityResolvedEvents);
    });
    expect(seen).toEqual(newestFirst);
  });

  it('filters by event type, event name and time range', async () => {
    const pages = await page(profileId, { type: 'page', limit: '200' });
    expect(pages.events.every((e) => e.type === 'page')).toBe(true);
    expect(pages.events.map((e) => e.id)).toEqual(newestFirst.filter((id) => events.find((e) => e.id === id)!.data.event.type === 'page'));

    const orders = await page(profileId, { event: 'Order Completed' });
    expect(orders.events.map((e) => e.commerce?.orderId)).toEqual(['tl-20', 'tl-15', 'tl-10', 'tl-5', 'tl-0']);

    // Minutes 3 (event 3) and 4 (events 4 and 5); from is inclusive, to (minute 6) exclusive.
    const window = await page(profileId, { from: new Date(base + 3 * minute).toISOString(), to: String(base + 6 * minute), limit: '200' });
    expect(window.events.map((e) => e.occurredAt)).toEqual(['04', '04', '03'].map((m) => `2026-04-01T00:${m}:00.000Z`));
  });

  it('follows a merge into the survivor, from either profile, and a split back', async () => {
    const merged = 'tl-merged';
    const absorbed = resolvedEvent({ profileId: merged, occurredAt: base + 30 * minute, type: 'track', event: 'Absorbed' });
    await h.produce(TOPICS.identityResolvedEvents, resolvedRecords([absorbed]));
    await h.waitUntilConsumed(TOPICS.identityResolvedEvents);
    const merge = profilesMerged({ survivor: profileId, merged: [merged], occurredAt: base + 40 * minute });
    await h.produce(TOPICS.identityProfileMerged, [{ key: profileId, schema: PROFILES_MERGED, value: merge }]);
    await h.waitUntilConsumed(TOPICS.identityProfileMerged);

    const survivor = await page(profileId, { event: 'Absorbed' });
    expect(survivor.profileIds).toEqual([profileId, merged]);
    expect(survivor.events.map((e) => [e.id, e.resolvedProfileId])).toEqual([[absorbed.id, merged]]);
    const viaMerged = await page(merged, { event: 'Absorbed' });
    expect([viaMerged.profileId, viaMerged.canonicalProfileId, viaMerged.events.length]).toEqual([merged, profileId, 1]);

    const split = profileSplit({ profileId, restored: [merged], occurredAt: base + 50 * minute, undoneMergeId: merge.data.mergeId });
    await h.produce(TOPICS.identityProfileMerged, [{ key: profileId, schema: PROFILE_SPLIT, value: split }]);
    await h.waitUntilConsumed(TOPICS.identityProfileMerged);
    expect((await page(profileId, { event: 'Absorbed' })).events).toEqual([]);
    expect((await page(merged)).events.map((e) => e.id)).toEqual([absorbed.id]);
  });

  it('refuses a cursor it did not write, an unknown type and a missing token', async () => {
    const bad = await h.api('GET', `/v1/profiles/x/events?cursor=bm9wZQ`);
    expect([bad.status, ((await bad.json()) as { code: string }).code]).toEqual([400, 'INVALID_CURSOR']);
    expect((await h.api('GET', `/v1/profiles/x/events?type=click`)).status).toBe(400);
    expect((await h.api('GET', `/v1/profiles/x/events`, undefined, null)).status).toBe(401);
  });

  it('answers an unknown profile with an empty timeline', async () => {
    expect(await page('nobody')).toMatchObject({ profileId: 'nobody', canonicalProfileId: 'nobody', events: [], nextCursor: null });
  });
});
