import type { IngestedEvent } from '@cdp/contracts';
import { seededShuffle } from '@cdp/testing';
import { ingested, SETUP_TIMEOUT_MS, startIdentity, type IdentityHarness } from './support/identity-harness';

/**
 * Two instances of the service share the input's partitions while every customer's identifiers are
 * linked by events on several partitions at once (each event is keyed by its own userId or
 * anonymousId, as ingestion keys them). Whatever the interleaving, each customer must end up on one
 * live profile, no two customers on the same one, and no merge may be lost. Replaying the topic into an
 * empty database must rebuild the same grouping of identifiers.
 */
const CUSTOMERS = 40;

function journey(c: number): IngestedEvent[] {
  const phone = `+86139${String(10_000_000 + c).padStart(8, '0')}`;
  const t = (n: number) => 1_767_225_600_000 + c * 100_000 + n * 1000;
  return [
    ingested({ anonymousId: `c${c}-laptop`, event: 'Product Viewed', timestamp: t(1) }),
    ingested({ anonymousId: `c${c}-phone`, type: 'screen', event: null, name: 'Home', timestamp: t(2) }),
    ingested({ anonymousId: `c${c}-receipt`, event: 'Order Completed', channel: 'pos', context: { traits: { memberCard: `MC-${c}`, phone } }, timestamp: t(3) }),
    ingested({ type: 'identify', event: null, userId: `c${c}-user`, anonymousId: `c${c}-laptop`, traits: { email: `c${c}@shop.cn` }, timestamp: t(4) }),
    ingested({ type: 'identify', event: null, anonymousId: `c${c}-phone`, traits: { email: `c${c}@shop.cn` }, timestamp: t(5) }),
    ingested({ anonymousId: `c${c}-laptop`, event: 'Cart Viewed', context: { traits: { phone } }, timestamp: t(6) }),
  ];
}

/** Live profile -> sorted blind indexes of its identifiers, as a sorted list of groups. */
async function groups(h: IdentityHarness): Promise<string[]> {
  const rows = await h.sql<{ hashes: string[] }>(
    `SELECT array_agg(type || ':' || encode(value_hash, 'hex') ORDER BY type, value_hash) AS hashes FROM identity.identifiers GROUP BY profile_id`,
  );
  return rows.map((r) => r.hashes.join(',')).sort();
}

describe('identity resolution with two instances on interleaved linking events', () => {
  let h: IdentityHarness;

  beforeAll(async () => {
    h = await startIdentity('identity-concurrency');
    await h.startAnother();
  }, SETUP_TIMEOUT_MS);

  afterAll(() => h?.close());

  it('keeps one live profile per customer and loses no merge, and a replay rebuilds the same grouping', async () => {
    const events = seededShuffle(Array.from({ length: CUSTOMERS }, (_, c) => journey(c)).flat(), 20261201);
    // Small sends, so batches of different partitions reach both instances at the same time.
    for (let i = 0; i < events.length; i += 12) await h.send(events.slice(i, i + 12));
    await h.caughtUp(120_000);

    const admin = h.kafka.admin();
    await admin.connect();
    const { groups: described } = await admin.describeGroups([`${h.prefix}identity`]);
    await admin.disconnect();
    expect(described[0].members.length).toBe(2);

    const live = await h.sql<{ profile_id: string; n: number }>(
      `SELECT i.profile_id, count(*)::int AS n FROM identity.identifiers i JOIN identity.profiles p ON p.id = i.profile_id
       WHERE p.status = 'live' GROUP BY 1`,
    );
    // Every identifier on a live profile, 7 per customer (2 devices, a receipt, a card, a phone, a login, an email).
    const [{ total, on_dead }] = await h.sql<{ total: number; on_dead: number }>(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE p.status <> 'live')::int AS on_dead
       FROM identity.identifiers i JOIN identity.profiles p ON p.id = i.profile_id`,
    );
    expect({ total, on_dead }).toEqual({ total: CUSTOMERS * 7, on_dead: 0 });
    expect(live.length).toBe(CUSTOMERS);
    expect(live.every((p) => p.n === 7)).toBe(true);

    // Each customer's identifiers are together: the blind index of one login names their whole group.
    for (let c = 0; c < CUSTOMERS; c += 7) {
      const res = await h.call('GET', `/v1/identities/user_id/c${c}-user`);
      const { profileId } = (await res.json()) as { profileId: string };
      const mine = await h.call('GET', `/v1/profiles/${profileId}/identifiers`);
      const { identifiers } = (await mine.json()) as { identifiers: Array<{ type: string; value: string }> };
      expect(identifiers.map((i) => i.value).sort()).toEqual(
        [`c${c}-laptop`, `c${c}-phone`, `c${c}-receipt`, `MC-${c}`, `+86139${String(10_000_000 + c).padStart(8, '0')}`, `c${c}-user`, `c${c}@shop.cn`].sort(),
      );
    }
    // Merged profiles point, through their chain, at a live one; none is left half-merged.
    const [{ dangling }] = await h.sql<{ dangling: number }>(
      `WITH RECURSIVE chain AS (
         SELECT id AS start, merged_into AS next FROM identity.profiles WHERE status = 'merged'
         UNION ALL SELECT c.start, p.merged_into FROM chain c JOIN identity.profiles p ON p.id = c.next WHERE p.status = 'merged'
       )
       SELECT count(*)::int AS dangling FROM identity.profiles p WHERE p.status = 'merged'
         AND NOT EXISTS (SELECT 1 FROM chain c JOIN identity.profiles l ON l.id = c.next AND l.status = 'live' WHERE c.start = p.id)`,
    );
    expect(dangling).toBe(0);
    const [{ merges, absorbed }] = await h.sql<{ merges: number; absorbed: number }>(
      `SELECT count(*)::int AS merges, coalesce(sum(cardinality(merged_ids)), 0)::int AS absorbed FROM identity.merges`,
    );
    const [{ merged }] = await h.sql<{ merged: number }>(`SELECT count(*)::int AS merged FROM identity.profiles WHERE status = 'merged'`);
    expect(absorbed).toBe(merged);
    expect(merges).toBeGreaterThan(0);

    const before = await groups(h);
    // The replay joins the same consumer group: the instances that built the graph leave it first.
    await h.stopServices();
    const replay = await startIdentity('identity-replay', {}, { topicPrefix: h.prefix });
    try {
      await replay.caughtUp(120_000);
      expect(await groups(replay)).toEqual(before);
    } finally {
      await replay.close();
    }
  });
});
