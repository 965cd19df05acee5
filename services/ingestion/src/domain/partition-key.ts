import type { IngestedEvent } from '@cdp/contracts';

/**
 * Kafka key of an ingested event: userId, else anonymousId, else messageId, so that one customer's
 * events share a partition and stay in order once they are known; anonymous traffic is kept in order
 * per device; an event with neither still gets a key that spreads load.
 */
export function partitionKeyOf(event: Pick<IngestedEvent, 'userId' | 'anonymousId' | 'messageId'>): string {
  return event.userId ?? event.anonymousId ?? event.messageId;
}
