import { startPlatform, type Platform } from './support/platform';

/**
 * One customer across channels, through the running services: browsing a web shop anonymously,
 * logging in, buying in a store with the member card and phone, calling the call centre. Ingestion
 * takes each over its Segment API from the channel's own source; identity must put all of it on one
 * profile.
 */
const ADMIN = { authorization: 'Bearer cdp-dev-admin-token', 'content-type': 'application/json' };

describe('identity across channels, as processes', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await startPlatform('identity-journey', { only: ['ingestion', 'identity'] });
  }, 300_000);

  afterAll(() => platform?.close(), 60_000);

  async function source(channel: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await fetch(`${platform.service('ingestion').url}/v1/sources`, {
      method: 'POST',
      headers: ADMIN,
      body: JSON.stringify({ name: `${channel} source`, channel, ...extra }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { writeKey: string }).writeKey;
  }

  async function send(writeKey: string, call: string, body: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${platform.service('ingestion').url}/v1/${call}`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect({ call, status: res.status, body: await res.text() }).toEqual({ call, status: 200, body: expect.stringContaining('"success":true') });
  }

  async function owner(type: string, value: string): Promise<string | null> {
    const res = await fetch(`${platform.service('identity').url}/v1/identities/${type}/${encodeURIComponent(value)}`, { headers: ADMIN });
    if (res.status === 404) return null;
    expect(res.status).toBe(200);
    return ((await res.json()) as { profileId: string }).profileId;
  }

  it('puts a web visitor, their login, a store purchase with card and phone, and a call on one profile', async () => {
    const web = await source('web', { defaultPhoneRegion: 'CN' });
    const pos = await source('pos', { storeId: 'shanghai-01', defaultPhoneRegion: 'CN', timezone: 'Asia/Shanghai' });
    const callCentre = await source('call_center', { defaultPhoneRegion: 'CN' });

    await send(web, 'track', { anonymousId: 'web-visitor-8', event: 'Product Viewed', properties: { product_id: 'sku-1', price: 199 } });
    await send(web, 'page', { anonymousId: 'web-visitor-8', name: 'Checkout' });
    await send(web, 'identify', { anonymousId: 'web-visitor-8', userId: 'member-8', traits: { email: 'Chen.Jie@Shop.CN', name: 'Chen Jie' } });
    await send(pos, 'track', {
      anonymousId: 'receipt-20261201-0042',
      event: 'Order Completed',
      properties: { order_id: 'POS-42', revenue: 398, currency: 'cny', products: [{ sku: 'sku-1', price: 199, quantity: 2 }] },
      context: { traits: { memberCard: 'MC-8888', phone: '138 0013 8888' } },
    });
    await send(web, 'identify', { userId: 'member-8', traits: { phone: '13800138888' }, context: {} });
    await send(callCentre, 'track', { anonymousId: 'call-5531', event: 'Call Completed', properties: { topic: 'delivery' }, context: { traits: { phone: '13800138888' } } });

    const identifiers: Array<[string, string]> = [
      ['anonymous_id', 'web-visitor-8'],
      ['user_id', 'member-8'],
      ['email', 'chen.jie@shop.cn'],
      ['anonymous_id', 'receipt-20261201-0042'],
      ['member_card', 'MC-8888'],
      ['phone', '+8613800138888'],
      ['anonymous_id', 'call-5531'],
    ];
    const deadline = Date.now() + 60_000;
    let owners: Array<string | null> = [];
    for (;;) {
      owners = await Promise.all(identifiers.map(([type, value]) => owner(type, value)));
      if ((owners.every((o) => o !== null) && new Set(owners).size === 1) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(Object.fromEntries(identifiers.map(([type, value], i) => [`${type}:${value}`, owners[i]]))).toEqual(
      Object.fromEntries(identifiers.map(([type, value]) => [`${type}:${value}`, owners[0]])),
    );

    const res = await fetch(`${platform.service('identity').url}/v1/profiles/${owners[0]}/identifiers`, { headers: ADMIN });
    const body = (await res.json()) as { profile: { id: string; status: string }; identifiers: Array<{ type: string; value: string; sourceId: string }> };
    expect(body.profile).toMatchObject({ id: owners[0], status: 'live' });
    expect(body.identifiers.map((i) => `${i.type}:${i.value}`).sort()).toEqual(identifiers.map(([type, value]) => `${type}:${value}`).sort());
  }, 120_000);
});
