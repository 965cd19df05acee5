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

  it('requires the admin token on every management call', async () => {
    for (const [method, path] of [['GET', '/v1/sources'], ['POST', '/v1/sources'], ['GET', '/v1/sources/00000000-0000-4000-8000-000000000000'], ['POST', '/v1/sources/00000000-0000-4000-8000-000000000000/rotate-key']]) {
      const none = await fetch(`${h.url}${path}`, { method });
      expect({ path, status: none.status }).toEqual({ path, status: 401 });
      expect(await none.json()).toMatchObject({ code: 'ADMIN_TOKEN_MISSING' });
      const wrong = await fetch(`${h.url}${path}`, { method, headers: { authorization: 'Bearer not-the-admin-token' } });
      expect({ path, status: wrong.status }).toEqual({ path, status: 401 });
      expect(await wrong.json()).toMatchObject({ code: 'ADMIN_TOKEN_INVALID' });
    }
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
