import { ingestedEventKey } from '@cdp/contracts';

/**
 * Kafka key of an ingested event: userId, else anonymousId, else messageId. The rule belongs to the
 * topic's contract (contracts/src/topics.ts), so every producer of the topic keys alike.
 */
export const partitionKeyOf = ingestedEventKey;
