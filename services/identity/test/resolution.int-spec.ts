import type { DeadLetter, MergeCapped, ProfilesMerged, ResolvedEvent } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import type { TopicReader } from '@cdp/testing';
import { ingested, SETUP_TIMEOUT_MS, startIdentity, type IdentityHarness } from './support/identity-harness';

describe('identity resolution over Kafka and Postgres', () => {
  let h: IdentityHarness;
  let resolved: TopicReader<ResolvedEvent>;
  let merged: TopicReader<ProfilesMerged>;

  beforeAll(async () => {
    h = await startIdentity('resolution');
    resolved = await h.read<ResolvedEvent>(TOPICS.identityResolvedEvents);
    merged = await h.read<ProfilesMerged>(TOPICS.identityProfileMerged);
  }, SETUP_TIMEOUT_MS);

  afterAll(() => h?.close());

  const profileOf = async (messageId: string) => (await resolved.waitFor((r) => r.id === messageId))[0];

  it('resolves a web visitor, their login, a POS purchase and a call-centre contact to one profile', async () => {
    const browse = ingested({ anonymousId: 'anon-web-1', event: 'Product Viewed' });
    const pos = ingested({ anonymousId: 'pos-receipt-77', event: 'Order Completed', channel: 'pos', context: { traits: { memberCard: 'MC-1001', phone: '+8613800138001' } } });
    const login = ingested({ type: 'identify', event: null, anonymousId: 'anon-web-1', userId: 'user-1', traits: { email: 'li.na@shop.cn', phone: '+8613800138001' } });
    const call = ingested({ anonymousId: 'call-5', event: 'Call Completed', channel: 'call_center', context: { traits: { phone: '+8613800138001' } } });
    await h.send([browse]);
    const first = await profileOf(browse.messageId);
    expect(first.key).toBe(first.value.data.profileId);
    expect(first.value.data).toMatchObject({ profileCreated: true, identifiers: [{ type: 'anonymous_id', value: 'anon-web-1' }] });
    await h.send([pos]);
    const store = await profileOf(pos.messageId);
    expect(store.value.data.profileId).not.toBe(first.value.data.profileId);

    await h.send([login]);
    const merge = (await merged.waitFor((m) => m.data.sourceEventId === login.messageId))[0].value;
    expect(merge.data).toMatchObject({ survivorProfileId: first.value.data.profileId, mergedProfileIds: [store.value.data.profileId], rule: 'anonymous_id+phone' });
    expect(merge.data.identifiers).toEqual(expect.arrayContaining([{ type: 'phone', value: '+8613800138001' }]));

    await h.send([call]);
    const contact = await profileOf(call.messageId);
    expect(contact.value.data).toMatchObject({ profileId: first.value.data.profileId, profileCreated: false });
    const live = await h.sql<{ profile_id: string; n: number }>(`SELECT profile_id, count(*)::int AS n FROM identity.identifiers GROUP BY 1`);
    expect(live).toEqual([{ profile_id: first.value.data.profileId, n: 7 }]);
    const absorbed = await h.sql<{ status: string; merged_into: string }>(`SELECT status, merged_into FROM identity.profiles WHERE id = $1`, [store.value.data.profileId]);
    expect(absorbed).toEqual([{ status: 'merged', merged_into: first.value.data.profileId }]);
  });

  it('keeps identifier values only as blind indexes and ciphertext', async () => {
    const event = ingested({ type: 'identify', event: null, userId: 'user-secret', traits: { email: 'secret.person@shop.cn' } });
    await h.send([event]);
    await profileOf(event.messageId);
    const dump = await h.sql<{ text: string }>(
      `SELECT string_agg(t::text, ' ') AS text FROM (
         SELECT i::text AS t FROM identity.identifiers i UNION ALL SELECT g::text FROM identity.graph_log g UNION ALL SELECT m::text FROM identity.merges m
       ) x`,
    );
    expect(dump[0].text).not.toContain('secret.person');
    expect(dump[0].text).not.toContain('user-secret');
    const hex = Buffer.from('secret.person@shop.cn').toString('hex');
    expect(dump[0].text).not.toContain(hex);
  });

  it('sends an event whose every identifier is blocked to the dead-letter topic, saying why', async () => {
    const deadLetters = await h.read<DeadLetter>(TOPICS.ingestDeadLetter);
    const event = ingested({ anonymousId: 'undefined', userId: 'null', traits: { email: 'test@shop.cn' } });
    await h.send([event]);
    const [letter] = await deadLetters.waitFor((d) => d.data.reason === 'NO_USABLE_IDENTIFIER');
    expect(letter.value.data.message).toContain('userId (blocked_value)');
    expect(letter.value.data.message).toContain('traits.email (blocked_pattern)');
    await h.caughtUp();
    expect(resolved.records.some((r) => r.value.id === event.messageId)).toBe(false);
  });

  it('records every link, merge and drop in the graph log with the event that caused it', async () => {
    const tablet = ingested({ type: 'identify', event: null, anonymousId: 'tablet-1', userId: 'mum' });
    const son = ingested({ type: 'identify', event: null, anonymousId: 'tablet-1', userId: 'son' });
    await h.send([tablet]);
    await profileOf(tablet.messageId);
    await h.send([son]);
    const sons = await profileOf(son.messageId);
    expect(sons.value.data).toMatchObject({ profileCreated: true, identifiers: [{ type: 'user_id', value: 'son' }] });
    const log = await h.sql<{ kind: string; event_id: string; rule: string | null; details: { limit?: string } }>(
      `SELECT kind, event_id, rule, details FROM identity.graph_log WHERE event_id = $1 ORDER BY seq`,
      [son.messageId],
    );
    expect(log).toEqual([
      { kind: 'IdentifierDropped', event_id: son.messageId, rule: 'limit', details: { reason: 'limit', limit: 'user_id' } },
      { kind: 'ProfileCreated', event_id: son.messageId, rule: null, details: {} },
      expect.objectContaining({ kind: 'IdentifierLinked', event_id: son.messageId }),
    ]);
  });

  it('emits MergeCapped and does not merge when a merge would pass the cap', async () => {
    const capped = await startIdentity('capped');
    try {
      await capped.sql(`UPDATE identity.rules SET version = 2, document = jsonb_set(document, '{caps,maxMergesPerProfile}', '1') WHERE id = 1`);
      const reader = await capped.read<MergeCapped>(TOPICS.identityMergeCapped);
      const r = await capped.read<ResolvedEvent>(TOPICS.identityResolvedEvents);
      const a = ingested({ anonymousId: 'a', traits: { email: 'one@shop.cn' }, type: 'identify', event: null });
      const b = ingested({ anonymousId: 'b', traits: { phone: '+8613800138002' }, type: 'identify', event: null });
      const c = ingested({ anonymousId: 'c', traits: { memberCard: 'MC-9' }, type: 'identify', event: null });
      await capped.send([a, b, c]);
      await r.waitFor(() => true, 3);
      const ab = ingested({ anonymousId: 'a', traits: { phone: '+8613800138002' }, type: 'identify', event: null });
      await capped.send([ab]);
      await r.waitFor((e) => e.id === ab.messageId);
      const abc = ingested({ anonymousId: 'a', traits: { memberCard: 'MC-9' }, type: 'identify', event: null });
      await capped.send([abc]);
      const [notice] = await reader.waitFor((m) => m.data.sourceEventId === abc.messageId);
      expect(notice.value.data).toMatchObject({ cap: 'merges', wouldBe: 2, limit: 1 });
      expect(notice.value.data.identifiers).toEqual(expect.arrayContaining([{ type: 'member_card', value: 'MC-9' }]));
      const owners = await capped.sql<{ n: number }>(`SELECT count(DISTINCT profile_id)::int AS n FROM identity.identifiers`);
      expect(owners).toEqual([{ n: 2 }]);
    } finally {
      await capped.close();
    }
  });

  it('keeps the graph in the schema DATABASE_SCHEMA names', async () => {
    const alt = await startIdentity('alt-schema', { DATABASE_SCHEMA: 'identity_alt' });
    try {
      const r = await alt.read<ResolvedEvent>(TOPICS.identityResolvedEvents);
      const event = ingested({ type: 'identify', event: null, userId: 'alt-user', traits: { email: 'alt@shop.cn' } });
      await alt.send([event]);
      await r.waitFor((e) => e.id === event.messageId);
      expect(await alt.sql(`SELECT type FROM identity_alt.identifiers ORDER BY type`)).toEqual([{ type: 'email' }, { type: 'user_id' }]);
      expect(await alt.sql(`SELECT to_regclass('identity.identifiers') AS t`)).toEqual([{ t: null }]);
    } finally {
      await alt.close();
    }
  });
});
