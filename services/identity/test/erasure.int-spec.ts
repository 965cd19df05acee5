import type { ErasureConfirmed, ErasureRequested, ResolvedEvent } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import type { TopicReader } from '@cdp/testing';
import { ingested, SETUP_TIMEOUT_MS, startIdentity, type IdentityHarness } from './support/identity-harness';

describe('erasure in the identity graph', () => {
  let h: IdentityHarness;
  let resolved: TopicReader<ResolvedEvent>;
  let confirmations: TopicReader<ErasureConfirmed>;

  beforeAll(async () => {
    h = await startIdentity('identity-erasure');
    resolved = await h.read<ResolvedEvent>(TOPICS.identityResolvedEvents);
    confirmations = await h.read<ErasureConfirmed>(TOPICS.privacyErasureConfirmed);
  }, SETUP_TIMEOUT_MS);

  afterAll(() => h?.close());

  const profileOf = async (messageId: string) => (await resolved.waitFor((r) => r.id === messageId))[0].value.data.profileId;
  const request = (requestId: string, profileId: string): ErasureRequested => ({
    id: `erasure-${requestId}-${profileId}`,
    type: 'ErasureRequested',
    occurredAt: Date.now(),
    data: { requestId, profileId, requestedBy: 'test', reason: 'customer asked' },
    metadata: { correlationId: requestId, causationId: null, producer: 'profile', schemaVersion: 1 },
  });

  it('forgets the person, whoever was merged into them, and confirms; the same email later is a stranger', async () => {
    const web = ingested({ type: 'identify', event: null, anonymousId: 'erase-web', userId: 'erase-user', traits: { email: 'forget.me@shop.cn' } });
    const store = ingested({ anonymousId: 'erase-receipt', event: 'Order Completed', context: { traits: { memberCard: 'MC-FORGET' } } });
    const link = ingested({ type: 'identify', event: null, userId: 'erase-user', traits: { memberCard: 'MC-FORGET' } });
    await h.send([web]);
    const profileId = await profileOf(web.messageId);
    await h.send([store]);
    const storeProfile = await profileOf(store.messageId);
    await h.send([link]);
    expect(await profileOf(link.messageId)).toBe(profileId);
    const other = ingested({ type: 'identify', event: null, userId: 'keep-user', traits: { email: 'keep.me@shop.cn' } });
    await h.send([other]);
    const kept = await profileOf(other.messageId);

    await h.emit([{ topic: TOPICS.privacyErasureRequested, key: profileId, schema: 'cdp.privacy.ErasureRequested', value: request('req-1', profileId) }]);
    const [confirmed] = await confirmations.waitFor((c) => c.data.requestId === 'req-1');
    expect(confirmed.value.data).toMatchObject({ profileId, service: 'identity' });
    expect(JSON.parse(confirmed.value.data.details)).toMatchObject({ found: true, identifiers: 5 });

    expect(await h.sql(`SELECT count(*)::int AS n FROM identity.identifiers WHERE profile_id = $1`, [profileId])).toEqual([{ n: 0 }]);
    expect(await h.sql(`SELECT status FROM identity.profiles WHERE id = ANY($1::uuid[]) ORDER BY status`, [[profileId, storeProfile]])).toEqual([{ status: 'erased' }, { status: 'erased' }]);
    expect(await h.sql(`SELECT count(*)::int AS n FROM identity.data_keys WHERE subject_id = $1`, [storeProfile])).toEqual([{ n: 0 }]);
    expect(await h.sql(`SELECT count(*)::int AS n FROM identity.data_keys WHERE subject_id = $1`, [profileId])).toEqual([{ n: 0 }]);
    expect(await h.sql(`SELECT count(*)::int AS n FROM identity.graph_log WHERE profile_id = $1 AND identifier_hash IS NOT NULL`, [profileId])).toEqual([{ n: 0 }]);
    expect(await h.sql(`SELECT count(*)::int AS n FROM identity.identifiers WHERE profile_id = $1`, [kept])).toEqual([{ n: 2 }]);
    const lookup = await h.call('GET', '/v1/identities/email/forget.me@shop.cn');
    expect(lookup.status).toBe(404);

    // Asking again (another service's retry, or a second id of the same person) changes nothing.
    await h.emit([{ topic: TOPICS.privacyErasureRequested, key: profileId, schema: 'cdp.privacy.ErasureRequested', value: request('req-2', profileId) }]);
    const [again] = await confirmations.waitFor((c) => c.data.requestId === 'req-2');
    expect(JSON.parse(again.value.data.details)).toEqual({ found: true, alreadyErased: true });

    const back = ingested({ type: 'identify', event: null, userId: 'erase-user', traits: { email: 'forget.me@shop.cn' } });
    await h.send([back]);
    const stranger = (await resolved.waitFor((r) => r.id === back.messageId))[0].value.data;
    expect(stranger.profileCreated).toBe(true);
    expect(stranger.profileId).not.toBe(profileId);
  });
});
