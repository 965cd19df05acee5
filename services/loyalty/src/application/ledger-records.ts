import type { EventMetadata, NotificationRequested as NotificationRecord } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import type { OutgoingEvent } from '@cdp/kafka';
import { type AccountState, isLedgerEvent, type LoyaltyEvent, type Programme, toLedgerEntry } from '../domain';

export const PRODUCER = 'loyalty';

export function metadataOf(cause: string | null): EventMetadata {
  return { correlationId: cause, causationId: cause, producer: PRODUCER, schemaVersion: 1 };
}

/**
 * What an appended event publishes: ledger entries as cdp.loyalty.LedgerEntry on cdp.loyalty.ledger
 * (with the balances after the entry), notification requests as cdp.loyalty.NotificationRequested on
 * cdp.loyalty.notifications, both keyed by the member. The other events stay in the account's stream.
 */
export function outgoingOf(event: LoyaltyEvent, after: AccountState, programme: Programme, cause: string | null): OutgoingEvent | null {
  const metadata = metadataOf(cause);
  if (isLedgerEvent(event)) {
    return { topic: TOPICS.loyaltyLedger, key: event.data.profileId, schema: 'cdp.loyalty.LedgerEntry', value: toLedgerEntry(event, after, metadata) };
  }
  if (event.type !== 'NotificationRequested') return null;
  const n = event.data.notification;
  const tierName = (id: string) => programme.tiers?.levels.find((l) => l.id === id)?.name ?? id;
  const value: NotificationRecord = {
    id: event.id,
    type: 'NotificationRequested',
    occurredAt: event.occurredAt,
    data: {
      programId: event.data.programmeId,
      profileId: event.data.profileId,
      kind: n.kind,
      key: event.data.key,
      pointsName: programme.pointsName,
      points: n.kind === 'points-expiring' ? n.points : null,
      expiresAt: n.kind === 'points-expiring' ? n.expiresAt : null,
      tierFrom: n.kind === 'tier-changed' ? n.from : null,
      tierTo: n.kind === 'tier-changed' ? n.to : null,
      tierToName: n.kind === 'tier-changed' ? tierName(n.to) : null,
      direction: n.kind === 'tier-changed' ? n.direction : null,
      effectiveAt: n.kind === 'tier-changed' ? n.effectiveAt : null,
    },
    metadata,
  };
  return { topic: TOPICS.loyaltyNotifications, key: event.data.profileId, schema: 'cdp.loyalty.NotificationRequested', value };
}
