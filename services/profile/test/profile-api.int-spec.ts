import { Pool } from 'pg';
import { Registry } from 'prom-client';
import type { ErasureConfirmed, ErasureRequested, ProfileChanged, ResolvedEvent } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import { BatchConsumer, type ConsumedMessage, pgTransactionRunner, silentLogger, subscribe } from '@cdp/kafka';
import { type ProfileHarness, resolvedEvent, SETUP_TIMEOUT_MS, startProfile, waitFor } from './support/profile-harness';

type Doc = {
  id: string;
  basic: Record<string, unknown>;
  contactPoints: { emails: Array<{ value: string }>; phones: Array<{ value: string }>; addresses: Array<{ value: Record<string, string> }> } | null;
  consents: Array<{ purpose: string; channel: string; status: string; source: string }>;
  traits: Record<string, unknown>;
  computed: Record<string, unknown>;
  pii: { included: boolean; withheld: string[] };
  matchedProfileIds?: string[];
};

const EMAIL = 'li.wei.secret@example.cn';
const PHONE = '+8613912345678';

describe('profile API: security, personal data, search, interactions, erasure', () => {
  let h: ProfileHarness;
  let analyst: string;
  let marketer: string;
  let operator: string;

  beforeAll(async () => {
    h = await startProfile('profile-api');
    [analyst, marketer, operator] = [await h.token('analyst'), await h.token('marketer'), await h.token('operator')];
    await h.resolve([
      resolvedEvent(
        'p-li',
        {
          type: 'identify',
          userId: 'u-li',
          traits: {
            email: EMAIL,
            phone: PHONE,
            firstName: 'Wei',
            lastName: 'Li',
            birthday: '1990-06-01',
            gender: 'female',
            plan: 'gold',
            address: { street: '88 Secret Lane', city: 'Shanghai', country: 'CN' },
            consents: { marketing: { email: true, sms: false } },
          },
        },
        [
          { type: 'user_id', value: 'u-li' },
          { type: 'email', value: EMAIL },
          { type: 'phone', value: PHONE },
        ],
      ),
      resolvedEvent('p-li', { event: 'Consent Revoked', properties: { channel: 'email' }, sourceId: 'src-pos' }),
    ]);
    await h.caughtUp();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  it('shows a marketer the whole profile with its personal data, and records the read in the audit log', async () => {
    const res = await h.call<Doc>('GET', '/v1/profiles/p-li', { token: marketer });
    expect(res.status).toBe(200);
    expect(res.body.basic).toMatchObject({ name: 'Wei Li', firstName: 'Wei', birthday: '1990-06-01', gender: 'female', city: 'Shanghai', country: 'CN' });
    expect(res.body.basic.ageBand).toMatch(/^\d\d-\d\d$/);
    expect(res.body.contactPoints!.emails.map((e) => e.value)).toEqual([EMAIL]);
    expect(res.body.contactPoints!.phones.map((e) => e.value)).toEqual([PHONE]);
    expect(res.body.contactPoints!.addresses[0]!.value).toMatchObject({ street: '88 Secret Lane' });
    expect(res.body.consents).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ purpose: 'marketing', channel: 'email', status: 'revoked', source: 'src-pos' }),
        expect.objectContaining({ purpose: 'marketing', channel: 'sms', status: 'revoked' }),
      ]),
    );
    const audit = await h.call<{ items: Array<{ action: string; actor: { role: string }; fields: string[]; client: { ip: string } }> }>('GET', '/v1/audit?resourceId=p-li&action=profiles.read_pii');
    expect(audit.body.items[0]).toMatchObject({ action: 'profiles.read_pii', actor: { role: 'marketer' } });
    expect(audit.body.items[0]!.fields).toEqual(expect.arrayContaining(['traits.email', 'contactPoints.emails']));
    expect(audit.body.items[0]!.client.ip).toBeTruthy();
  });

  it('never shows an analyst personal data: withheld and named, and lookups by email are refused', async () => {
    const res = await h.call<Doc>('GET', '/v1/profiles/p-li', { token: analyst });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain(EMAIL);
    expect(JSON.stringify(res.body)).not.toContain('Secret Lane');
    expect(res.body.basic).toMatchObject({ name: null, birthday: null, city: 'Shanghai' });
    expect(res.body.contactPoints).toBeNull();
    expect(res.body.pii).toMatchObject({ included: false, withheld: expect.arrayContaining(['contactPoints', 'traits.email', 'basic.birthday']) });
    const traits = await h.call<{ traits: Record<string, { value: unknown; withheld?: boolean }> }>('GET', '/v1/profiles/p-li/traits', { token: analyst });
    expect(traits.body.traits.email).toMatchObject({ value: null, withheld: true });
    expect(traits.body.traits.plan).toMatchObject({ value: 'gold' });
    const identifiers = await h.call<{ items: Array<{ type: string; value: string | null }> }>('GET', '/v1/profiles/p-li/identifiers', { token: analyst });
    expect(identifiers.body.items.every((i) => i.value === null)).toBe(true);
    const lookup = await h.call<{ code: string; detail: string }>('GET', `/v1/profiles/lookup?email=${encodeURIComponent(EMAIL)}`, { token: analyst });
    expect(lookup.status).toBe(403);
    expect(lookup.body.code).toBe('AUTH_SCOPE_MISSING');
    expect(lookup.body.detail).toContain('pii:read');
  });

  it('finds a profile by email or phone in any spelling identity accepts', async () => {
    const byEmail = await h.call<Doc>('GET', `/v1/profiles/lookup?email=${encodeURIComponent(' Li.Wei.SECRET@example.cn ')}`, { token: marketer });
    expect(byEmail.status).toBe(200);
    expect(byEmail.body).toMatchObject({ id: 'p-li', matchedProfileIds: ['p-li'] });
    const byPhone = await h.call<Doc>('GET', `/v1/profiles/lookup?phone=${encodeURIComponent('+86 139-1234-5678')}`, { token: marketer });
    expect(byPhone.body.id).toBe('p-li');
    expect((await h.call('GET', '/v1/profiles/lookup?email=nobody@example.cn', { token: marketer })).status).toBe(404);
    expect((await h.call('GET', '/v1/profiles/lookup?email=not-an-email', { token: marketer })).status).toBe(422);
  });

  it('keeps personal data only encrypted: the plaintext email, phone and street are nowhere in the database', async () => {
    const tables = await h.sql<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'profile' AND table_type = 'BASE TABLE'`);
    expect(tables.length).toBeGreaterThan(10);
    for (const secret of [EMAIL, PHONE, 'Secret Lane', '1990-06-01']) {
      const hex = Buffer.from(secret, 'utf8').toString('hex');
      for (const { table_name } of tables) {
        const [row] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM profile."${table_name}" t WHERE t::text ILIKE $1 OR t::text ILIKE $2`, [`%${secret}%`, `%${hex}%`]);
        expect({ table: table_name, secret, rows: row!.n }).toEqual({ table: table_name, secret, rows: 0 });
      }
    }
    const [keys] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM profile.data_keys WHERE subject_id = 'p-li'`);
    expect(keys!.n).toBe(1);
  });

  it('lets a marketer read profiles but not manage tokens, and nobody in without a token', async () => {
    const tokens = await h.call<{ code: string }>('POST', '/v1/tokens', { token: marketer, body: { name: 'x', role: 'analyst' } });
    expect(tokens.status).toBe(403);
    expect(tokens.body.code).toBe('AUTH_SCOPE_MISSING');
    const anonymous = await h.call<{ code: string }>('GET', '/v1/profiles/p-li', { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect((await h.call('POST', '/v1/profiles/p-li/erase', { token: marketer })).status).toBe(403);
    expect((await h.call('POST', '/v1/profiles/p-li/export', { token: operator })).status).toBe(403);
  });

  it('searches on traits, computed traits and consents, refuses personal fields, and pages with a cursor', async () => {
    await h.resolve(
      [1, 2, 3, 4, 5].map((i) =>
        resolvedEvent(`p-s${i}`, {
          event: 'Order Completed',
          commerce: { orderId: `s-${i}`, revenue: i * 10, currency: 'USD', discount: null, tax: null, shipping: null, coupon: null, storeId: null, products: [] },
        }),
      ),
    );
    await h.resolve([resolvedEvent('p-s1', { type: 'identify', traits: { plan: 'gold' } }), resolvedEvent('p-s2', { type: 'identify', traits: { plan: 'silver' } })]);
    await h.caughtUp();
    type Page = { items: Array<{ id: string }>; nextCursor: string | null };
    const search = (body: unknown, token = analyst) => h.call<Page>('POST', '/v1/profiles/search', { token, body });
    const rich = await search({ filters: [{ field: 'computed.totalSpend.USD', op: 'gte', value: 30 }] });
    expect(rich.body.items.map((i) => i.id)).toEqual(['p-s3', 'p-s4', 'p-s5']);
    const gold = await search({ filters: [{ field: 'traits.plan', op: 'in', value: ['gold', 'platinum'] }] });
    expect(gold.body.items.map((i) => i.id)).toEqual(['p-li', 'p-s1']);
    const consenting = await search({ filters: [{ field: 'consents.marketing.email', op: 'eq', value: 'revoked' }] });
    expect(consenting.body.items.map((i) => i.id)).toEqual(['p-li']);
    const page1 = await search({ filters: [{ field: 'computed.ordersCount', op: 'eq', value: 1 }], limit: 2 });
    expect(page1.body).toMatchObject({ nextCursor: expect.any(String) });
    const page2 = await search({ filters: [{ field: 'computed.ordersCount', op: 'eq', value: 1 }], limit: 2, cursor: page1.body.nextCursor });
    const page3 = await search({ filters: [{ field: 'computed.ordersCount', op: 'eq', value: 1 }], limit: 2, cursor: page2.body.nextCursor });
    expect([...page1.body.items, ...page2.body.items, ...page3.body.items].map((i) => i.id)).toEqual(['p-s1', 'p-s2', 'p-s3', 'p-s4', 'p-s5']);
    expect(page3.body.nextCursor).toBeNull();
    const pii = await h.call<{ code: string }>('POST', '/v1/profiles/search', { token: marketer, body: { filters: [{ field: 'traits.email', op: 'eq', value: EMAIL }] } });
    expect(pii.status).toBe(422);
    expect(pii.body.code).toBe('PII_NOT_SEARCHABLE');
    expect((await search({ filters: [{ field: 'segments', op: 'contains', value: 'vip' }] })).status).toBe(422);
  });

  it('logs an interaction through the API as an event, and lists it with its summary only for readers of personal data', async () => {
    const resolved = await h.read<ResolvedEvent>(TOPICS.identityResolvedEvents);
    const logged = await h.call<{ id: string; status: string }>('POST', '/v1/profiles/p-li/interactions', {
      token: marketer,
      body: { type: 'complaint', channel: 'call_center', summary: 'parcel arrived damaged', agent: 'agent-7', satisfaction: 2 },
    });
    expect(logged.status).toBe(202);
    const [event] = await resolved.waitFor((e) => e.id === logged.body.id);
    expect(event!.value.data).toMatchObject({ profileId: 'p-li', event: { event: 'Interaction Logged', sourceId: 'profile-api' } });
    type Items = { items: Array<{ id: string; type: string; agent: string; summary: string | null; summaryWithheld?: boolean }> };
    await waitFor(async () => (await h.call<Items>('GET', '/v1/profiles/p-li/interactions', { token: marketer })).body.items.length === 1, 'interaction projected');
    const forMarketer = await h.call<Items>('GET', '/v1/profiles/p-li/interactions', { token: marketer });
    expect(forMarketer.body.items[0]).toMatchObject({ id: logged.body.id, type: 'complaint', agent: 'agent-7', summary: 'parcel arrived damaged' });
    const forAnalyst = await h.call<Items>('GET', '/v1/profiles/p-li/interactions', { token: analyst });
    expect(forAnalyst.body.items[0]).toMatchObject({ summary: null, summaryWithheld: true });
    expect((await h.call('POST', '/v1/profiles/p-li/interactions', { token: analyst, body: { type: 'call' } })).status).toBe(403);
    expect((await h.call<{ field: string }>('POST', '/v1/profiles/p-li/interactions', { token: marketer, body: { type: 'fax' } })).body.field).toBe('type');
  });

  it('answers 503 with available: false for the timeline while analytics is not configured', async () => {
    const res = await h.call<{ code: string; available: boolean; reason: string }>('GET', '/v1/profiles/p-li/events', { token: analyst });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'SERVICE_NOT_CONFIGURED', available: false, reason: 'not_configured' });
  });

  it('publishes an OpenAPI document and a Swagger page', async () => {
    const doc = await fetch(`${h.url}/docs-json`);
    expect(doc.status).toBe(200);
    const json = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(Object.keys(json.paths)).toEqual(expect.arrayContaining(['/v1/profiles/{id}', '/v1/profiles/lookup', '/v1/profiles/{id}/erase', '/v1/erasures/{requestId}']));
    const page = await fetch(`${h.url}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
  });

  it('exports everything held on the person, with personal data, for a token with privacy:export', async () => {
    const res = await h.call<{ profile: Doc; traitFacts: unknown[]; identifiers: Array<{ value: string }>; interactions: unknown[] }>('POST', '/v1/profiles/p-li/export');
    expect(res.status).toBe(200);
    expect(res.body.profile.contactPoints!.emails[0]!.value).toBe(EMAIL);
    expect(res.body.identifiers.map((i) => i.value)).toEqual(expect.arrayContaining([EMAIL, PHONE, 'u-li']));
    expect(res.body.traitFacts.length).toBeGreaterThan(5);
  });

  it('erases the person: rows and data key gone, an erasure event for every service, and a receipt that fills as they confirm', async () => {
    const requested = await h.read<ErasureRequested>(TOPICS.privacyErasureRequested);
    const res = await h.call<{ requestId: string; complete: boolean; services: Array<{ service: string; confirmedAt: string | null }> }>('POST', '/v1/profiles/p-li/erase', {
      token: operator,
      body: { reason: 'customer asked' },
    });
    expect(res.status).toBe(202);
    const { requestId } = res.body;
    expect(res.body.complete).toBe(false);
    expect(res.body.services.find((s) => s.service === 'profile')!.confirmedAt).not.toBeNull();
    expect(res.body.services.filter((s) => s.confirmedAt === null).map((s) => s.service).sort()).toEqual(['analytics', 'identity', 'loyalty', 'segmentation']);

    for (const table of ['traits', 'identifiers', 'addresses', 'consents', 'interactions', 'views', 'profiles', 'data_keys']) {
      const column = table === 'data_keys' ? 'subject_id' : 'profile_id';
      const [row] = await h.sql<{ n: number }>(`SELECT count(*)::int AS n FROM profile.${table} WHERE ${column} = 'p-li'`);
      expect({ table, rows: row!.n }).toEqual({ table, rows: 0 });
    }
    expect((await h.call<{ code: string }>('GET', '/v1/profiles/p-li')).status).toBe(410);
    const [event] = await requested.waitFor((e) => e.data.requestId === requestId);
    expect(event!.value.data).toMatchObject({ profileId: 'p-li', reason: 'customer asked' });

    const confirmation: ErasureConfirmed = {
      id: `confirm-analytics-${requestId}`,
      type: 'ErasureConfirmed',
      occurredAt: Date.now(),
      data: { requestId, profileId: 'p-li', service: 'analytics', erasedAt: Date.now(), details: JSON.stringify({ events: 12 }) },
      metadata: { correlationId: requestId, causationId: event!.value.id, producer: 'analytics', schemaVersion: 1 },
    };
    await h.produce(TOPICS.privacyErasureConfirmed, 'cdp.privacy.ErasureConfirmed', 'p-li', confirmation);
    await h.caughtUp();
    const receipt = await h.call<{ services: Array<{ service: string; confirmedAt: string | null; details: Record<string, unknown> }> }>('GET', `/v1/erasures/${requestId}`, { token: operator });
    const analytics = receipt.body.services.find((s) => s.service === 'analytics')!;
    expect(analytics.confirmedAt).not.toBeNull();
    expect(analytics.details).toEqual({ 'p-li': { events: 12 } });

    // An event about the erased person arriving late is not projected again.
    await h.resolve([resolvedEvent('p-li', { type: 'identify', traits: { plan: 'again' } })]);
    await h.caughtUp();
    expect((await h.call('GET', '/v1/profiles/p-li')).status).toBe(410);
    expect(await h.sql(`SELECT 1 FROM profile.traits WHERE profile_id = 'p-li'`)).toEqual([]);
  });

  it('leaves a tombstone for the erased profile on cdp.profile.changed, which a consumer skipping tombstones passes over', async () => {
    const changes = await h.read<ProfileChanged>(TOPICS.profileChanged);
    const [tombstone] = await changes.waitForTombstone('p-li');
    expect(tombstone!.headers['cdp-event-id']).toBeTruthy();
    // The `erased` change comes first, for consumers following the topic; the tombstone is the key's last record.
    const [erased] = await changes.waitFor((c) => c.data.profileId === 'p-li' && c.data.changes.some((f) => f.field === 'erased'));
    expect(JSON.parse(erased!.value.data.traits)).toEqual({});

    // A consumer with the runtime's default (tombstones skipped) reads past it and dead-letters nothing.
    const pool = new Pool({ connectionString: h.db.url, max: 2 });
    const registry = new Registry();
    const seen: ProfileChanged[] = [];
    const follower = new BatchConsumer({
      kafka: h.kafka,
      groupId: 'it-follower',
      subscriptions: [subscribe(TOPICS.profileChanged, async (batch: { messages: ReadonlyArray<ConsumedMessage<ProfileChanged>> }) => void seen.push(...batch.messages.map((m) => m.value)))],
      serde: h.serde,
      transactionRunner: pgTransactionRunner(pool),
      schema: h.config.database.schema,
      topicPrefix: h.prefix,
      fromBeginning: true,
      logger: silentLogger,
      registry,
    });
    try {
      await follower.start();
      const topic = `${h.prefix}${TOPICS.profileChanged.name}`;
      const admin = h.kafka.admin();
      await admin.connect();
      const end = Number((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === tombstone!.partition)!.high);
      await admin.disconnect();
      await waitFor(async () => {
        const [row] = await h.sql<{ next: string | null }>(`SELECT max(next_offset)::text AS next FROM profile.consumer_offsets WHERE topic = $1 AND partition = $2`, [topic, tombstone!.partition]);
        return Number(row?.next ?? 0) >= end;
      }, 'the follower to read past the tombstone', 60_000);
      expect(seen.filter((c) => c.data.profileId === 'p-li').some((c) => c.data.changes.some((f) => f.field === 'erased'))).toBe(true);
      const counts = (await registry.getSingleMetricAsString('cdp_kafka_messages_total')).split('\n');
      expect(counts.some((line) => line.includes('outcome="dropped"') && !line.endsWith(' 0'))).toBe(true);
      expect(counts.some((line) => line.includes('outcome="dead_lettered"') && !line.endsWith(' 0'))).toBe(false);
    } finally {
      await follower.stop();
      await pool.end();
    }
  });
});
