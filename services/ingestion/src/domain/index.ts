export {
  normalizeSegmentEvent,
  SEGMENT_CALL_TYPES,
  BATCH_FIELD_PREFIX,
  type SegmentCallType,
  type SourceContext,
  type NormalizeEnv,
  type NormalizeResult,
} from './segment-event.normalizer';
export { REJECTION_CODES, isRejectionCode, type Rejection, type RejectionCode } from './rejection';
export { partitionKeyOf } from './partition-key';
export { SEGMENT_LIMITS, MAX_MESSAGE_ID_LENGTH } from './segment-limits';
export { deterministicMessageId, uuidV5, CDP_MESSAGE_ID_NAMESPACE } from './deterministic-id';
export { ECOMMERCE_EVENTS, canonicalEcommerceEvent } from './commerce.mapper';
export { ISO_4217_CURRENCIES } from './currency';
export { EARLIEST_EVENT_TIME, MAX_FUTURE_MS } from './event-time';
