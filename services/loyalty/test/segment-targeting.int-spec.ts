import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccountSummary } from '../src/domain';
import { type LoyaltyHarness, orderCompleted, programme, SETUP_TIMEOUT_MS, startLoyalty } from './support/loyalty-harness';

/**
 * Segment and tag targeting against segmentation's memberships API. Segmentation is not part of this
 * test: a small HTTP server on 127.0.0.1 answers `GET /v1/profiles/:id/memberships` as it would.
 */
describe('segment and tag targeting', () => {
  let h: LoyaltyHarness;
  let segmentation: Server;
  const asked: string[] = [];
  const memberships: Record<string, { segments: string[]; tags: string[] }> = { vera: { segments: ['vip'], tags: [] }, tom: { segments: [], tags: ['student'] } };
  const summary = async (profileId: string) => ((await (await h.call('GET', `/v1/loyalty/programmes/targeted/accounts/${profileId}`)).json()) as AccountSummary).points;

  beforeAll(async () => {
    segmentation = createServer((req, res) => {
      const id = /^\/v1\/profiles\/([^/]+)\/memberships$/.exec(req.url ?? '')?.[1];
      asked.push(decodeURIComponent(id ?? ''));
      const found = id ? memberships[decodeURIComponent(id)] : undefined;
      res.writeHead(found ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(found ?? { code: 'PROFILE_NOT_FOUND' }));
    });
    await new Promise<void>((resolve) => segmentation.listen(0, '127.0.0.1', resolve));
    const { port } = segmentation.address() as AddressInfo;
    h = await startLoyalty('loyalty-targeting', { LOYALTY_SEGMENTATION_URL: `http://127.0.0.1:${port}` });
    await h.createProgramme(
      programme('targeted', {
        pendingDays: 0,
        earningRules: [
          { id: 'base', name: 'A point per dollar', kind: 'purchase', currency: 'USD', pointsPerUnit: 1, rounding: 'floor' },
          { id: 'vip', name: 'VIP double', kind: 'purchase', currency: 'USD', pointsPerUnit: 1, rounding: 'floor', targeting: { segments: ['vip'] } },
          { id: 'students', name: 'Student bonus', kind: 'purchase', currency: 'USD', pointsPerUnit: 0.5, rounding: 'floor', targeting: { tags: ['student'] } },
        ],
      }),
    );
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.close();
    await new Promise((resolve) => segmentation?.close(resolve));
  });

  it('credits targeted rules to the members segmentation names, and to nobody it does not know', async () => {
    await h.sendResolved([orderCompleted('vera', 'v-1', 100), orderCompleted('tom', 't-1', 100), orderCompleted('ugo', 'u-1', 100)]);
    await h.caughtUp();
    expect([(await summary('vera')).active, (await summary('tom')).active, (await summary('ugo')).active]).toEqual([200, 150, 100]);
    expect(new Set(asked)).toEqual(new Set(['vera', 'tom', 'ugo']));
  });

  it('counts membership as unknown (not a member) when segmentation does not answer', async () => {
    await new Promise((resolve) => segmentation.close(resolve));
    await h.sendResolved([orderCompleted('vera', 'v-2', 100)]);
    await h.caughtUp();
    expect((await summary('vera')).active).toBe(300);
  });
});
