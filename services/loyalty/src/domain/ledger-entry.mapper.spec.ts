import { latestSchema } from '@cdp/contracts';
import * as avro from 'avsc';
import { isLedgerEvent } from './events';
import { toLedgerEntry } from './ledger-entry.mapper';
import { DAY_MS, exampleProgramme, order, refund, Scenario, T0 } from './spec-support';

const ledgerEntryType = avro.Type.forSchema(latestSchema('cdp.loyalty.LedgerEntry').schema as avro.Schema);
const metadata = { correlationId: null, causationId: null, producer: 'loyalty', schemaVersion: 1 };

describe('ledger entries on cdp.loyalty.LedgerEntry', () => {
  it('carry signed points, the balances after the entry and the cause, and are valid Avro', () => {
    const s = new Scenario(exampleProgramme({ rewards: [{ id: 'r', name: 'r', cost: 30, grant: { kind: 'gift', sku: 'G' } }] }));
    s.given(order('m1', 100, { orderId: 'A' }));
    s.at(T0 + 15 * DAY_MS).given(refund('m1', 'A', 20, { at: T0 + 15 * DAY_MS }), { type: 'RedeemReward', profileId: 'm1', rewardId: 'r', idempotencyKey: 'k' });
    s.given({ type: 'MergeAccounts', mergeId: 'mg', survivorProfileId: 'm2', mergedProfileIds: ['m1'], occurredAt: s.now });

    // Fold each stream again to see each entry with its account right after it.
    const replayed = new Scenario(s.programme);
    const rows: [string, number, number, number, string][] = [];
    for (const stream of s.streams.values()) {
      for (const { event } of stream) {
        replayed.append([event]);
        if (!isLedgerEvent(event)) continue;
        const entry = toLedgerEntry(event, replayed.account(event.data.profileId), metadata);
        expect(ledgerEntryType.isValid(entry)).toBe(true);
        rows.push([`${entry.data.profileId} ${entry.type}`, entry.data.points, entry.data.availableBalance, entry.data.pendingBalance, entry.data.cause.kind]);
      }
    }
    expect(rows).toEqual([
      ['m1 PointsPending', 100, 0, 100, 'order'],
      ['m1 PointsActivated', 100, 100, 0, 'activation'],
      ['m1 PointsReversed', -20, 80, 0, 'return'],
      ['m1 PointsRedeemed', -30, 50, 0, 'redemption'],
      ['m1 PointsTransferred', -50, 0, 0, 'transfer'],
      ['m2 PointsTransferred', 50, 50, 0, 'transfer'],
    ]);
  });
});
