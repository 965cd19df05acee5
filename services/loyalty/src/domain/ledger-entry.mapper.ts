import type { EventMetadata, LedgerCause, LedgerEntry } from '@cdp/contracts';
import { type AccountState, activeBalance, pendingBalance } from './account';
import type { Cause, LedgerEvent } from './events';

function causeOf(cause: Cause, eventId: string | null): LedgerCause {
  const none = { eventId: null, orderId: null, ruleId: null, actor: null, note: null };
  switch (cause.kind) {
    case 'order':
      return { ...none, kind: 'order', eventId: cause.eventId, orderId: cause.orderId, ruleId: cause.ruleId };
    case 'activity':
      return { ...none, kind: 'activity', eventId: cause.eventId, ruleId: cause.ruleId, note: cause.name ?? cause.activity };
    case 'referral':
      return { ...none, kind: 'referral', eventId: cause.eventId, orderId: cause.orderId, ruleId: `referral:${cause.role}`, note: cause.role === 'referrer' ? cause.refereeProfileId : cause.referrerProfileId };
    case 'refund':
      return { ...none, kind: 'return', eventId: cause.eventId, orderId: cause.orderId, note: cause.refundId };
    case 'redemption':
      return { ...none, kind: 'redemption', eventId, ruleId: cause.rewardId, note: cause.idempotencyKey };
    case 'activation':
      return { ...none, kind: 'activation', eventId };
    case 'expiry':
      return { ...none, kind: 'expiry', eventId };
    case 'manual':
      return { ...none, kind: 'manual', eventId: cause.adjustmentId, actor: cause.actor, note: cause.reason };
    case 'transfer':
      return { ...none, kind: 'transfer', eventId, note: cause.splitId ?? cause.mergeId };
    default: {
      const never: never = cause;
      throw new RangeError(`unknown cause ${(never as Cause).kind}`);
    }
  }
}

/**
 * A ledger entry as the cdp.loyalty.LedgerEntry record publishes it. `after` is the entry's account
 * with the entry applied (the balances it reports). `points` is signed: credits, and activations
 * (which add to the available balance), are positive; everything that takes points is negative.
 */
export function toLedgerEntry(event: LedgerEvent, after: AccountState, metadata: EventMetadata): LedgerEntry {
  let points: number;
  let relatedEntryId: string | null = null;
  let counterpartProfileId: string | null = null;
  let expiresAt: number | null = null;
  switch (event.type) {
    case 'PointsEarned':
    case 'PointsPending':
      points = event.data.points;
      expiresAt = event.data.expiresAt;
      break;
    case 'PointsActivated':
      points = event.data.points;
      relatedEntryId = event.data.lotId;
      expiresAt = event.data.expiresAt;
      break;
    case 'PointsRedeemed':
    case 'PointsExpired':
      points = -event.data.points;
      break;
    case 'PointsReversed':
      points = -event.data.points;
      relatedEntryId = event.data.targets[0]?.lotId ?? null;
      break;
    case 'PointsAdjusted':
      points = event.data.points;
      expiresAt = event.data.expiresAt;
      break;
    case 'PointsTransferred':
      points = event.data.direction === 'in' ? event.data.points : -event.data.points;
      relatedEntryId = event.data.lotId;
      counterpartProfileId = event.data.cause.kind === 'transfer' ? event.data.cause.counterpartProfileId : null;
      expiresAt = after.lots[event.data.lotId]?.expiresAt ?? null;
      break;
    default: {
      const never: never = event;
      throw new RangeError(`unknown ledger event ${(never as LedgerEvent).type}`);
    }
  }
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    data: {
      programId: event.data.programmeId,
      profileId: event.data.profileId,
      points,
      availableBalance: activeBalance(after),
      pendingBalance: pendingBalance(after),
      cause: causeOf(event.data.cause, event.id),
      relatedEntryId,
      counterpartProfileId,
      expiresAt,
    },
    metadata,
  };
}
