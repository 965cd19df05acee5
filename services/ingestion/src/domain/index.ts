/**
 * The ingestion domain: a Segment call in, a clean IngestedEvent or a precise rejection out. Pure; the
 * clock and id generator are parameters. Decisions a caller should know:
 * - Rejections name the JSON path at fault inside the call; values of the /v1/batch body itself are
 *   prefixed `(batch).` (`(batch).sentAt`). EVENT_TOO_LARGE counts the UTF-8 bytes of the call as sent.
 * - Invalid emails and phones are removed from traits/properties (they must never link customers) and
 *   kept, with their path, in `context.cdp.invalidIdentifiers`; `context.cdp` belongs to ingestion.
 * - Event time: clock-skew corrected when sentAt is known, else the client's; accepted from 1990 (history
 *   via /v1/import) up to a day after receipt. Offset-less times are read in the source's time zone.
 * - Ecommerce events are recognised loosely ("order_completed") and renamed to the spec's spelling,
 *   the client's spelling kept in `context.cdp.originalEvent`.
 */
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
