import { type ProfileHarness, resolvedEvent, SETUP_TIMEOUT_MS, startProfile } from './support/profile-harness';

describe('profile in the schema DATABASE_SCHEMA names', () => {
  let h: ProfileHarness;

  beforeAll(async () => {
    h = await startProfile('profile-alt-schema', { DATABASE_SCHEMA: 'profile_alt' });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  it('projects, looks up, searches and erases with every table in that schema and none in profile', async () => {
    await h.resolve([resolvedEvent('p-alt', { type: 'identify', traits: { email: 'Alt@Example.com', plan: 'gold' } }, [{ type: 'email', value: 'alt@example.com' }])]);
    await h.caughtUp();

    const lookup = await h.call<{ id: string; traits: Record<string, unknown> }>('GET', '/v1/profiles/lookup?email=alt%40example.com');
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ id: 'p-alt', traits: { plan: 'gold', email: 'Alt@Example.com' } });
    const search = await h.call<{ items: Array<{ id: string }> }>('POST', '/v1/profiles/search', { body: { filters: [{ field: 'traits.plan', op: 'eq', value: 'gold' }] } });
    expect(search.body.items.map((i) => i.id)).toEqual(['p-alt']);

    const [schemas] = await h.sql<{ profile: string | null; alt: string | null }>(`SELECT to_regnamespace('profile')::text AS profile, to_regnamespace('profile_alt')::text AS alt`);
    expect(schemas).toEqual({ profile: null, alt: 'profile_alt' });
    expect(await h.sql(`SELECT profile_id FROM profile_alt.views`)).toEqual([{ profile_id: 'p-alt' }]);
    const [audit] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM profile_alt.audit_log WHERE action = 'profiles.lookup'`);
    expect(audit!.n).toBe(1);

    const erased = await h.call('POST', '/v1/profiles/p-alt/erase');
    expect(erased.status).toBe(202);
    expect(await h.sql(`SELECT 1 FROM profile_alt.traits WHERE profile_id = 'p-alt'`)).toEqual([]);
    expect(await h.sql(`SELECT profile_id FROM profile_alt.erased_profiles`)).toEqual([{ profile_id: 'p-alt' }]);
    expect((await h.call('GET', '/v1/profiles/p-alt')).status).toBe(410);
  });
});
