import type { ProfileSplit, ResolvedEvent } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import type { TopicReader } from '@cdp/testing';
import { ingested, SETUP_TIMEOUT_MS, startIdentity, type IdentityHarness } from './support/identity-harness';

describe('identity API', () => {
  let h: IdentityHarness;
  let resolved: TopicReader<ResolvedEvent>;
  let merged: TopicReader<ProfileSplit>;

  beforeAll(async () => {
    h = await startIdentity('identity-api');
    resolved = await h.read<ResolvedEvent>(TOPICS.identityResolvedEvents);
    merged = await h.read<ProfileSplit>(TOPICS.identityProfileMerged);
  }, SETUP_TIMEOUT_MS);

  afterAll(() => h?.close());

  const resolvedProfile = async (messageId: string) => (await resolved.waitFor((r) => r.id === messageId))[0].value.data.profileId;
  const json = async <T>(res: Response, status = 200): Promise<T> => {
    const body = await res.text();
    expect({ status: res.status, body }).toMatchObject({ status });
    return JSON.parse(body) as T;
  };
  const token = async (role: string): Promise<string> => (await json<{ token: string }>(await h.call('POST', '/v1/tokens', { name: `${role} in test`, role }), 201)).token;
  const as = (bearer: string, path: string) => fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${bearer}` } });

  it('finds the profile of an email or phone, normalised as resolution normalises it', async () => {
    const event = ingested({ type: 'identify', event: null, userId: 'api-user-1', traits: { email: 'wang.fang@shop.cn', phone: '+8613900139000' } });
    await h.send([event]);
    const profileId = await resolvedProfile(event.messageId);
    expect(await json(await h.call('GET', '/v1/identities/email/Wang.Fang@Shop.CN'))).toMatchObject({ profileId, type: 'email' });
    expect(await json(await h.call('GET', `/v1/identities/phone/${encodeURIComponent('+86 139 0013 9000')}`))).toMatchObject({ profileId });
    expect(await json(await h.call('GET', '/v1/identities/phone/13900139000'), 400)).toMatchObject({ code: 'INVALID_IDENTIFIER', field: 'value' });
    expect(await json(await h.call('GET', '/v1/identities/email/nobody@shop.cn'), 404)).toMatchObject({ code: 'IDENTIFIER_NOT_FOUND' });
    const anonymous = await fetch(`${h.url}/v1/identities/email/wang.fang@shop.cn`);
    expect(anonymous.status).toBe(401);
  });

  it('resolves many identifiers in one call, in order, saying which are unknown or unusable', async () => {
    const event = ingested({ type: 'identify', event: null, userId: 'bulk-user', traits: { email: 'bulk@shop.cn' } });
    await h.send([event]);
    const profileId = await resolvedProfile(event.messageId);
    const res = await h.call('POST', '/v1/identities/resolve', {
      identifiers: [
        { type: 'email', value: 'BULK@shop.cn' },
        { type: 'user_id', value: 'nobody' },
        { type: 'phone', value: '12345' },
        { type: 'Bad Type', value: 'x' },
        { type: 'user_id', value: 'bulk-user' },
      ],
    });
    expect(await json(res)).toEqual({
      results: [
        { type: 'email', profileId },
        { type: 'user_id', profileId: null },
        { type: 'phone', profileId: null, error: 'a phone is looked up in E.164 form' },
        { type: 'Bad Type', profileId: null, error: 'not an identifier type' },
        { type: 'user_id', profileId },
      ],
    });
    expect(await json(await h.call('POST', '/v1/identities/resolve', { identifiers: [] }), 422)).toMatchObject({ field: 'identifiers' });
  });

  it('shows identifier values only to callers allowed to read PII, and records who read them', async () => {
    const event = ingested({ type: 'identify', event: null, userId: 'api-user-2', traits: { email: 'zhao.lei@shop.cn' } });
    await h.send([event]);
    const profileId = await resolvedProfile(event.messageId);
    const admin = await json<{ identifiers: Array<{ type: string; value?: string }> }>(await h.call('GET', `/v1/profiles/${profileId}/identifiers`));
    expect(admin.identifiers).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'email', value: 'zhao.lei@shop.cn' })]));
    const analyst = await json<{ identifiers: Array<{ type: string; value?: string }> }>(await as(await token('analyst'), `/v1/profiles/${profileId}/identifiers`));
    expect(analyst.identifiers.map((i) => i.type).sort()).toEqual(['email', 'user_id']);
    expect(analyst.identifiers.every((i) => i.value === undefined)).toBe(true);
    const marketer = await as(await token('marketer'), `/v1/profiles/${profileId}/identifiers`);
    expect(await json(marketer, 403)).toMatchObject({ code: 'AUTH_SCOPE_MISSING' });
    const audit = await h.sql<{ action: string; actor_token_id: string; fields: string[] }>(
      `SELECT action, actor_token_id, fields FROM identity.audit_log WHERE resource_id = $1 ORDER BY id`,
      [profileId],
    );
    expect(audit).toEqual([{ action: 'identity.read_identifiers', actor_token_id: 'bootstrap', fields: ['email', 'user_id'] }]);
  });

  it('splits a merge apart again: identifiers, profiles and downstream events', async () => {
    const web = ingested({ type: 'identify', event: null, anonymousId: 'split-web', userId: 'split-user' });
    const store = ingested({ anonymousId: 'split-receipt', event: 'Order Completed', context: { traits: { memberCard: 'MC-SPLIT', email: 'shared@family.cn' } } });
    await h.send([web, store]);
    const webProfile = await resolvedProfile(web.messageId);
    const storeProfile = await resolvedProfile(store.messageId);
    // A shared family email wrongly joins the two.
    const wrong = ingested({ type: 'identify', event: null, userId: 'split-user', traits: { email: 'shared@family.cn' } });
    await h.send([wrong]);
    await resolvedProfile(wrong.messageId);
    const [{ merge_id }] = await h.sql<{ merge_id: string }>(`SELECT id AS merge_id FROM identity.merges WHERE event_id = $1`, [wrong.messageId]);
    expect(await json(await h.call('GET', `/v1/merges/${merge_id}`))).toMatchObject({ survivorProfileId: webProfile, mergedProfileIds: [storeProfile], undoneBy: null });

    expect(await json(await h.call('POST', `/v1/merges/${merge_id}/split`, {}), 422)).toMatchObject({ field: 'reason' });
    const outcome = await json<{ splitId: string; restoredProfileIds: string[] }>(await h.call('POST', `/v1/merges/${merge_id}/split`, { reason: 'shared family email' }));
    expect(outcome.restoredProfileIds).toEqual([storeProfile]);
    const owners = await h.sql<{ type: string; profile_id: string }>(
      `SELECT type, profile_id FROM identity.identifiers WHERE profile_id = ANY($1::uuid[]) ORDER BY type, profile_id`,
      [[webProfile, storeProfile]],
    );
    const byKey = (o: { type: string; profile_id: string }) => `${o.type}|${o.profile_id}`;
    expect(owners.map(byKey)).toEqual(
      [
        { type: 'anonymous_id', profile_id: storeProfile },
        { type: 'anonymous_id', profile_id: webProfile },
        { type: 'email', profile_id: storeProfile },
        { type: 'member_card', profile_id: storeProfile },
        { type: 'user_id', profile_id: webProfile },
      ]
        .map(byKey)
        .sort(),
    );
    const [split] = await merged.waitFor((m) => m.type === 'ProfileSplit' && m.data.undoneMergeId === merge_id);
    expect(split.key).toBe(webProfile);
    expect(split.value.data).toMatchObject({ profileId: webProfile, restoredProfileIds: [storeProfile], reason: 'shared family email' });
    expect(split.value.data.movedIdentifiers).toEqual(expect.arrayContaining([{ type: 'member_card', value: 'MC-SPLIT' }, { type: 'email', value: 'shared@family.cn' }]));
    expect(await json(await h.call('POST', `/v1/merges/${merge_id}/split`, { reason: 'again' }), 409)).toMatchObject({ code: 'MERGE_ALREADY_UNDONE' });

    // The restored customer's next purchase is theirs again.
    const next = ingested({ anonymousId: 'split-receipt-2', event: 'Order Completed', context: { traits: { memberCard: 'MC-SPLIT' } } });
    await h.send([next]);
    expect(await resolvedProfile(next.messageId)).toBe(storeProfile);
    const history = await json<{ items: Array<{ kind: string }> }>(await h.call('GET', `/v1/profiles/${webProfile}/history`));
    expect(history.items.map((i) => i.kind)).toEqual(expect.arrayContaining(['ProfileSplit', 'ProfilesMerged', 'ProfileCreated', 'IdentifierLinked']));
    const audit = await h.sql<{ action: string; outcome: string }>(`SELECT action, outcome FROM identity.audit_log WHERE resource_id = $1 ORDER BY id`, [merge_id]);
    expect(audit).toEqual([
      { action: 'identity.split', outcome: 'failure' },
      { action: 'identity.split', outcome: 'success' },
      { action: 'identity.split', outcome: 'failure' },
    ]);
  });

  it('pages through a profile history without gaps or repeats', async () => {
    const events = Array.from({ length: 6 }, (_, i) => ingested({ type: 'identify', event: null, userId: 'pager', traits: { [`email`]: `pager${i}@shop.cn` } }));
    await h.send(events);
    const profileId = await resolvedProfile(events[0].messageId);
    await h.caughtUp();
    const all = await json<{ items: Array<{ seq: string }> }>(await h.call('GET', `/v1/profiles/${profileId}/history?limit=500`));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ seq: string }>; nextCursor: string | null } = await json(await h.call('GET', `/v1/profiles/${profileId}/history?limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...page.items.map((i) => i.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((i) => i.seq));
    expect(await json(await h.call('GET', `/v1/profiles/${profileId}/history?cursor=nonsense`), 400)).toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it('changes the rules as a new audited version, refusing invalid documents with the path at fault', async () => {
    const before = await json<{ version: number; document: { types: Record<string, unknown> } }>(await h.call('GET', '/v1/identity/rules'));
    const invalid = await json<{ code: string; violations: Array<{ path: string }> }>(
      await h.call('PUT', '/v1/identity/rules/types/member_card', { limit: 0, priority: 70 }),
      422,
    );
    expect(invalid).toMatchObject({ code: 'INVALID_RULES', violations: [{ path: 'types.member_card.limit' }] });
    const stale = await h.call('PUT', '/v1/identity/rules/types/member_card', { limit: 5, priority: 70, blockedValues: ['CASHIER-CARD'], expectedVersion: before.version - 1 });
    expect(await json(stale, 409)).toMatchObject({ code: 'RULES_VERSION_CONFLICT' });
    const after = await json<{ version: number }>(
      await h.call('PUT', '/v1/identity/rules/types/member_card', { limit: 5, priority: 70, blockedValues: ['CASHIER-CARD'], expectedVersion: before.version, reason: 'till card' }),
    );
    expect(after.version).toBe(before.version + 1);
    expect(await json(await h.call('DELETE', '/v1/identity/rules/types/email'), 422)).toMatchObject({ code: 'INVALID_RULES' });

    // The blocked card no longer links two shoppers.
    const one = ingested({ anonymousId: 'till-1', event: 'Order Completed', context: { traits: { memberCard: 'cashier-card' } } });
    const two = ingested({ anonymousId: 'till-2', event: 'Order Completed', context: { traits: { memberCard: 'cashier-card' } } });
    await h.send([one]);
    await h.send([two]);
    expect(await resolvedProfile(one.messageId)).not.toBe(await resolvedProfile(two.messageId));

    const changes = await json<Array<{ version: number; changedBy: string; reason: string | null }>>(await h.call('GET', '/v1/identity/rules/changes?limit=2'));
    expect(changes[0]).toMatchObject({ version: after.version, reason: 'till card' });
    expect(changes[0].changedBy).toContain('bootstrap');
  });
});
