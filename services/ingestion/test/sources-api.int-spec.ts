import { createHash } from 'node:crypto';
import { postSegment, SETUP_TIMEOUT_MS, startIngestion, type IngestionHarness } from './support/ingestion-harness';

interface SourceAnswer {
  id: string;
  name: string;
  channel: string;
  storeId: string | null;
  defaultPhoneRegion: string | null;
  timezone: string | null;
  enabled: boolean;
  rateLimitPerSecond: number | null;
  createdAt: string;
  keyRotatedAt: string | null;
  disabledAt: string | null;
  writeKey?: string;
}

describe('ingestion sources API', () => {
  let h: IngestionHarness;

  beforeAll(async () => {
    h = await startIngestion('sources-api');
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  const track = (writeKey: string) => postSegment(h.url, '/v1/track', writeKey, { userId: 'u-1', event: 'Store Visited' });

  it('requires a platform token with sources:manage on every management call', async () => {
    const issue = async (role: string) => {
      const res = await h.admin('POST', '/v1/tokens', { name: `sources-api ${role}`, role });
      expect(res.status).toBe(201);
      return ((await res.json()) as { token: string }).token;
    };
    const [operator, marketer] = [await issue('operator'), await issue('marketer')];
    const calls = [['GET', '/v1/sources'], ['POST', '/v1/sources'], ['GET', '/v1/sources/00000000-0000-4000-8000-000000000000'], ['POST', '/v1/sources/00000000-0000-4000-8000-000000000000/rotate-key']];
    for (const [method, path] of calls) {
      const none = await fetch(`${h.url}${path}`, { method });
      expect({ path, status: none.status }).toEqual({ path, status: 401 });
      expect(await none.json()).toMatchObject({ code: 'AUTH_TOKEN_MISSING' });
      const wrong = await fetch(`${h.url}${path}`, { method, headers: { authorization: 'Bearer not-the-admin-token' } });
      expect({ path, status: wrong.status }).toEqual({ path, status: 401 });
      expect(await wrong.json()).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
      // A marketer's token is valid but lacks the scope.
      const unscoped = await fetch(`${h.url}${path}`, { method, headers: { authorization: `Bearer ${marketer}` } });
      expect({ path, status: unscoped.status }).toEqual({ path, status: 403 });
      expect(await unscoped.json()).toMatchObject({ code: 'AUTH_SCOPE_MISSING' });
    }
    const listed = await fetch(`${h.url}/v1/sources`, { headers: { authorization: `Bearer ${operator}` } });
    expect(listed.status).toBe(200);
  });

  it('audits every change to a source (who, what, which source), never the write key', async () => {
    const source = await h.createSource();
    await h.admin('POST', `/v1/sources/${source.id}/rotate-key`);
    await h.admin('POST', `/v1/sources/${source.id}/disable`);
    await h.admin('POST', `/v1/sources/${source.id}/enable`);
    const page = (await (await h.admin('GET', `/v1/audit?resourceType=source&resourceId=${source.id}`)).json()) as {
      items: Array<{ action: string; outcome: string; actor: { tokenId: string }; resource: { type: string; id: string } }>;
    };
    expect(page.items.map((e) => [e.action, e.outcome, e.actor.tokenId])).toEqual([
      ['sources.enable', 'success', 'bootstrap'],
      ['sources.disable', 'success', 'bootstrap'],
      ['sources.rotate_key', 'success', 'bootstrap'],
      ['sources.create', 'success', 'bootstrap'],
    ]);
    const rows = await h.sql<Record<string, unknown>>('SELECT * FROM ingestion.audit_log WHERE resource_id = $1', [source.id]);
    expect(JSON.stringify(rows)).not.toContain(source.writeKey);
  });

  it('creates a source, shows its write key once and stores only the key hash', async () => {
    const res = await h.admin('POST', '/v1/sources', { name: ' Flagship store POS ', channel: 'pos', storeId: 'store-1', defaultPhoneRegion: 'cn', timezone: 'Asia/Shanghai', rateLimitPerSecond: 500 });
    expect(res.status).toBe(201);
    const created = (await res.json()) as SourceAnswer;
    expect(created).toMatchObject({ name: 'Flagship store POS', channel: 'pos', storeId: 'store-1', defaultPhoneRegion: 'CN', timezone: 'Asia/Shanghai', enabled: true, rateLimitPerSecond: 500, keyRotatedAt: null, disabledAt: null });
    expect(created.writeKey).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const rows = await h.sql<Record<string, unknown>>('SELECT * FROM ingestion.sources WHERE id = $1', [created.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.write_key_hash).toBe(createHash('sha256').update(created.writeKey!).digest('hex'));
    expect(JSON.stringify(rows[0])).not.toContain(created.writeKey);

    const fetched = await h.admin('GET', `/v1/sources/${created.id}`);
    expect(fetched.status).toBe(200);
    const { writeKey: _key, ...view } = created;
    expect(await fetched.json()).toEqual(view);
    const listed = (await (await h.admin('GET', '/v1/sources')).json()) as SourceAnswer[];
    expect(listed).toContainEqual(view);
    expect(listed.every((s) => s.writeKey === undefined)).toBe(true);
  });

  it('refuses an invalid source with 422 naming the field, and an unknown id with 404', async () => {
    for (const [body, field] of [
      [{ name: 'x', channel: 'fax' }, 'channel'],
      [{ name: '', channel: 'web' }, 'name'],
      [{ name: 'x', channel: 'web', defaultPhoneRegion: 'XX' }, 'defaultPhoneRegion'],
      [{ name: 'x', channel: 'web', timezone: 'Mars/Olympus' }, 'timezone'],
      [{ name: 'x', channel: 'web', rateLimitPerSecond: 0 }, 'rateLimitPerSecond'],
      [{ name: 'x', channel: 'web', writeKey: 'mine' }, 'writeKey'],
    ] as const) {
      const res = await h.admin('POST', '/v1/sources', body);
      expect({ field, status: res.status }).toEqual({ field, status: 422 });
      expect(await res.json()).toMatchObject({ code: 'INVALID_SOURCE', field });
    }
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await h.admin('GET', `/v1/sources/${id}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    }
  });

  it('rotates a key: the new one works, the old one stops working at once', async () => {
    const source = await h.createSource();
    expect((await track(source.writeKey)).status).toBe(200);
    const res = await h.admin('POST', `/v1/sources/${source.id}/rotate-key`);
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as SourceAnswer;
    expect(rotated.writeKey).not.toBe(source.writeKey);
    expect(rotated.keyRotatedAt).not.toBeNull();
    expect((await track(source.writeKey)).status).toBe(401);
    expect((await track(rotated.writeKey!)).status).toBe(200);
  });

  it('disables a source (its key is refused with 403) and enables it again', async () => {
    const source = await h.createSource();
    expect((await track(source.writeKey)).status).toBe(200);
    const disabled = await h.admin('POST', `/v1/sources/${source.id}/disable`);
    expect(disabled.status).toBe(200);
    expect(await disabled.json()).toMatchObject({ enabled: false, disabledAt: expect.any(String) });
    const refused = await track(source.writeKey);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'SOURCE_DISABLED' });

    const enabled = await h.admin('POST', `/v1/sources/${source.id}/enable`);
    expect(await enabled.json()).toMatchObject({ enabled: true, disabledAt: null });
    expect((await track(source.writeKey)).status).toBe(200);
  });
});
