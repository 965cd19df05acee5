import type { LedgerEntry, NotificationRequested } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import type { TopicReader } from '@cdp/testing';
import type { AccountSummary } from '../src/domain';
import { DAY_MS, type LoyaltyHarness, orderCompleted, orderRefunded, programme, resolved, SETUP_TIMEOUT_MS, startLoyalty } from './support/loyalty-harness';

const T0 = Date.UTC(2026, 0, 20, 12);

describe('loyalty consumer: resolved events and identity changes into the ledger', () => {
  let h: LoyaltyHarness;
  let ledger: TopicReader<LedgerEntry>;
  let notices: TopicReader<NotificationRequested>;
  const summary = async (profileId: string, programmeId = 'stars') => {
    const res = await h.call('GET', `/v1/loyalty/programmes/${programmeId}/accounts/${profileId}`);
    expect(res.status).toBe(200);
    return (await res.json()) as AccountSummary;
  };
  const dueWork = async () => {
    const res = await h.call('POST', '/v1/loyalty/due-work');
    expect(res.status).toBe(200);
    return (await res.json()) as { accounts: number; events: number };
  };

  beforeAll(async () => {
    h = await startLoyalty('loyalty-ledger');
    h.clock.set(T0);
    await h.createProgramme(
      programme('stars', {
        earningRules: [
          { id: 'base', name: 'A star per dollar', kind: 'purchase', currency: 'USD', pointsPerUnit: 1, rounding: 'floor', exclusions: [{ category: 'Gift Cards' }] },
          { id: 'welcome', name: 'Welcome', kind: 'activity', activity: 'sign_up', points: 25, limit: { count: 1, period: 'lifetime' } },
        ],
      }),
    );
    ledger = await h.read<LedgerEntry>(TOPICS.loyaltyLedger);
    notices = await h.read<NotificationRequested>(TOPICS.loyaltyNotifications);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.close();
  });

  it('credits each order once, pending for the return window, however often it is replayed', async () => {
    const first = orderCompleted('alice', 'o-1', 120.5, { at: T0 - DAY_MS });
    const withGiftCard = orderCompleted('alice', 'o-2', 80, {
      at: T0 - DAY_MS + 1000,
      products: [
        { sku: 'CD-1', category: 'Music', price: 30, quantity: 1 },
        { sku: 'GC-50', category: 'gift cards', price: 50, quantity: 1 },
      ],
    });
    const sameOrderOtherEvent = orderCompleted('alice', 'o-1', 120.5, { at: T0 - DAY_MS + 2000 });
    await h.sendResolved([first, withGiftCard, first, sameOrderOtherEvent, resolved('alice', { event: 'Signed Up', timestamp: T0 - DAY_MS + 3000 }), resolved('alice', { event: 'Signed Up', timestamp: T0 - DAY_MS + 4000 })]);
    await h.caughtUp();

    const s = await summary('alice');
    // 120 for o-1, 30 for o-2 (the gift card earns nothing), the welcome bonus once, active at once.
    expect(s.points).toMatchObject({ pending: 150, active: 25 });
    const entries = await ledger.waitFor((e) => e.data.profileId === 'alice', 3);
    expect(entries.map((e) => [e.value.type, e.value.data.points, e.value.data.cause.orderId]).sort()).toEqual([
      ['PointsEarned', 25, null],
      ['PointsPending', 120, 'o-1'],
      ['PointsPending', 30, 'o-2'],
    ]);
    const [{ n }] = await h.sql<{ n: string }>(`SELECT count(*) AS n FROM loyalty.account_events WHERE profile_id = 'alice' AND type = 'OrderRecorded'`);
    expect(Number(n)).toBe(2);
  });

  it('reverses refunded points: in full, and in proportion to a partial refund', async () => {
    await h.sendResolved([orderRefunded('alice', 'o-1', null, { at: T0 }), orderRefunded('alice', 'o-2', 16, { at: T0 + 1 })]);
    await h.caughtUp();
    // o-2 kept floor(30 x (80 - 16) / 80) = 24 of its 30 points.
    expect((await summary('alice')).points).toMatchObject({ pending: 24, active: 25 });
    const reversals = await ledger.waitFor((e) => e.data.profileId === 'alice' && e.type === 'PointsReversed', 2);
    expect(reversals.map((r) => r.value.data.points).sort((a, b) => a - b)).toEqual([-120, -6]);
  });

  it('activates at the end of the return window, warns before expiry, and expires as the clock moves', async () => {
    h.clock.set(T0 + 14 * DAY_MS);
    await dueWork();
    expect((await summary('alice')).points).toMatchObject({ pending: 0, active: 49 });

    // The purchase points activated at T0 + 13 days and expire 365 days later; the welcome bonus a day earlier.
    h.clock.set(T0 + 350 * DAY_MS);
    await dueWork();
    const warned = await notices.waitFor((n) => n.data.profileId === 'alice' && n.data.kind === 'points-expiring', 2);
    expect(warned.map((n) => n.value.data.points).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([24, 25]);

    h.clock.set(T0 + 400 * DAY_MS);
    const run = await dueWork();
    expect(run.events).toBeGreaterThan(0);
    expect((await summary('alice')).points).toMatchObject({ pending: 0, active: 0, expired: 49 });
    expect(await dueWork()).toMatchObject({ events: 0 });
  });

  it('merges accounts when identity merges profiles, and separates them again on the split', async () => {
    h.clock.set(T0);
    await h.sendResolved([orderCompleted('bob', 'b-1', 50, { at: T0 - 1000 }), orderCompleted('carol', 'c-1', 70, { at: T0 - 1000 })]);
    await h.caughtUp();
    await h.sendIdentityChanges([
      {
        id: 'merge-1-event',
        type: 'ProfilesMerged',
        occurredAt: T0,
        data: { mergeId: 'merge-1', survivorProfileId: 'bob', mergedProfileIds: ['carol'], rule: 'email', identifiers: [], sourceEventId: null },
        metadata: { correlationId: null, causationId: null, producer: 'identity', schemaVersion: 1 },
      },
    ]);
    await h.caughtUp();
    expect((await summary('bob')).points.pending).toBe(120);
    expect(await summary('carol')).toMatchObject({ status: 'merged', mergedInto: 'bob' });

    // An order for carol's profile after the merge lands in bob's account (the domain follows the merge).
    await h.sendResolved([orderCompleted('carol', 'c-2', 10, { at: T0 + 1000 })]);
    await h.caughtUp();
    expect((await summary('bob')).points.pending).toBe(130);

    await h.sendIdentityChanges([
      {
        id: 'split-1-event',
        type: 'ProfileSplit',
        occurredAt: T0 + 2000,
        data: { splitId: 'split-1', undoneMergeId: 'merge-1', profileId: 'bob', restoredProfileIds: ['carol'], movedIdentifiers: [], reason: 'merge_undone', requestedBy: 'ops', sourceEventId: null },
        metadata: { correlationId: null, causationId: null, producer: 'identity', schemaVersion: 1 },
      },
    ]);
    await h.caughtUp();
    expect((await summary('carol')).points).toMatchObject({ pending: 70 });
    expect(await summary('carol')).toMatchObject({ status: 'open' });
    expect((await summary('bob')).points.pending).toBe(60);
  });

  it('dead-letters a refund in another currency and drops one of an order it never credited', async () => {
    const wrongCurrency = orderRefunded('bob', 'b-1', 5, { at: T0 + 3000 });
    wrongCurrency.data.event.commerce!.currency = 'EUR';
    const unknown = orderRefunded('bob', 'never-seen', 5, { at: T0 + 3000 });
    const dead = await h.read<{ data: { reason: string; sourceTopic: string | null } }>(TOPICS.ingestDeadLetter);
    await h.sendResolved([wrongCurrency, unknown]);
    await h.caughtUp();
    const letters = await dead.waitFor((d) => d.data.reason === 'CURRENCY_MISMATCH');
    expect(letters).toHaveLength(1);
    expect((await summary('bob')).points.pending).toBe(60);
  });

  it('credits nothing twice when every input is replayed from the beginning, without the runtime\'s dedupe records', async () => {
    const versions = async () => h.sql<{ profile_id: string; version: string; active_points: string; pending_points: string }>(`SELECT profile_id, version, active_points, pending_points FROM loyalty.accounts ORDER BY profile_id`);
    const before = await versions();
    const [{ n: eventsBefore }] = await h.sql<{ n: string }>(`SELECT count(*) AS n FROM loyalty.account_events`);
    // As if the dedupe window had passed and the positions were lost: a new instance joins and every partition starts over.
    await h.sql(`DELETE FROM loyalty.consumer_offsets`);
    await h.sql(`DELETE FROM loyalty.processed_events`);
    await h.startAnother();
    await h.caughtUp(90_000);
    expect(await versions()).toEqual(before);
    const [{ n: eventsAfter }] = await h.sql<{ n: string }>(`SELECT count(*) AS n FROM loyalty.account_events`);
    expect(eventsAfter).toBe(eventsBefore);
  });
});
