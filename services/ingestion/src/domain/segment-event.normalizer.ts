import type { Commerce, IngestedEvent } from '@cdp/contracts';
import { cleanContactFields } from './contact.cleaner';
import { cleanCurrency } from './currency';
import { resolveEventTime } from './event-time';
import { cleanIdentifier, jsonTypeOf } from './identifier';
import { type JsonObject, deepMerge, isJsonObject, own, setOwn, utf8ByteLength } from './json';
import { canonicalEcommerceEvent, mapCommerce } from './commerce.mapper';
import { type Rejection, reject } from './rejection';
import { MAX_MESSAGE_ID_LENGTH, SEGMENT_LIMITS } from './segment-limits';
import { parseTimestamp } from './timestamp';

export const SEGMENT_CALL_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type SegmentCallType = (typeof SEGMENT_CALL_TYPES)[number];

/** The authenticated source (write key owner), as configured in the sources table. */
export interface SourceContext {
  sourceId: string;
  channel: string;
  storeId: string | null;
  /** ISO 3166 alpha-2, e.g. 'CN', 'US': the region of phone numbers written without +country. */
  defaultPhoneRegion: string | null;
  /** IANA zone, e.g. 'Asia/Shanghai': the zone of timestamps written without a UTC offset. */
  timezone: string | null;
}

export interface NormalizeEnv {
  /** When ingestion received the request (epoch ms). */
  receivedAt: number;
  /** Id for a call that brings no usable messageId. */
  newMessageId: () => string;
  /** `sentAt` of the enclosing /v1/batch body; an item's own sentAt wins. */
  batchSentAt?: unknown;
  /** `context` of the enclosing /v1/batch body; the item's context is merged over it. */
  batchContext?: unknown;
  /**
   * UTF-8 size of the call as the client sent it, when the caller has its bytes: the 32 KB limit is
   * about what was sent, and knowing it spares serialising the call again only to measure it.
   */
  sentBytes?: number;
}

export type NormalizeResult = { ok: true; event: IngestedEvent } | { ok: false; rejection: Rejection };

/** Path prefix of rejections about the /v1/batch body rather than the item. */
export const BATCH_FIELD_PREFIX = '(batch).';

/**
 * One Segment call (a /v1/<type> body or one element of a /v1/batch `batch`) to a clean IngestedEvent,
 * or the reason it cannot be one, naming the field at fault. Pure: the clock and the id generator come
 * in `env`, and the caller's payload is never mutated.
 *
 * `type` is the endpoint's call type; it wins over the body's `type`, as on Segment's API. For batch
 * items it is undefined and the body's `type` decides.
 */
export function normalizeSegmentEvent(
  raw: unknown,
  type: SegmentCallType | undefined,
  source: SourceContext,
  env: NormalizeEnv,
): NormalizeResult {
  if (!isJsonObject(raw)) return reject('NOT_AN_OBJECT', null, `a Segment call must be a JSON object, got ${jsonTypeOf(raw)}`);
  const bytes = env.sentBytes ?? serialisedBytes(raw);
  if (bytes > SEGMENT_LIMITS.maxEventBytes) {
    return reject('EVENT_TOO_LARGE', null, `the event is ${bytes} bytes of JSON; the limit is ${SEGMENT_LIMITS.maxEventBytes}`);
  }

  const callType = type ?? own(raw, 'type');
  if (!isCallType(callType)) {
    return reject('INVALID_TYPE', 'type', `type must be one of ${SEGMENT_CALL_TYPES.join(', ')}, got ${describe(callType)}`);
  }

  const ids: Record<'userId' | 'anonymousId' | 'previousId' | 'groupId', string | null> = {
    userId: null,
    anonymousId: null,
    previousId: null,
    groupId: null,
  };
  for (const key of ['userId', 'anonymousId', 'previousId', 'groupId'] as const) {
    const id = cleanIdentifier(own(raw, key), key);
    if (!id.ok) return id;
    ids[key] = id.value;
  }

  const objects: Record<'context' | 'traits' | 'properties' | 'integrations', JsonObject> = {
    context: {},
    traits: {},
    properties: {},
    integrations: {},
  };
  for (const key of ['context', 'traits', 'properties', 'integrations'] as const) {
    const value = own(raw, key);
    if (value === undefined || value === null) continue;
    if (!isJsonObject(value)) return reject('INVALID_FIELD', key, `${key} must be an object, got ${jsonTypeOf(value)}`);
    objects[key] = value;
  }
  const batchContext = env.batchContext;
  if (batchContext !== undefined && batchContext !== null) {
    if (!isJsonObject(batchContext)) {
      return reject('INVALID_FIELD', `${BATCH_FIELD_PREFIX}context`, `the batch context must be an object, got ${jsonTypeOf(batchContext)}`);
    }
    objects.context = deepMerge(batchContext, objects.context);
  }

  let event: string | null = null;
  let name: string | null = null;
  let properties = objects.properties;
  switch (callType) {
    case 'track': {
      const value = own(raw, 'event');
      if (value !== undefined && value !== null && typeof value !== 'string') {
        return reject('INVALID_FIELD', 'event', `event must be a string, got ${jsonTypeOf(value)}`);
      }
      event = typeof value === 'string' ? value.trim() : '';
      if (event === '') return reject('MISSING_EVENT_NAME', 'event', 'a track call needs a non-empty event name');
      if (!ids.userId && !ids.anonymousId) return missingIdentity();
      break;
    }
    case 'page':
    case 'screen': {
      const page = pageFields(raw, properties);
      if (!page.ok) return page;
      ({ name, properties } = page.value);
      if (!ids.userId && !ids.anonymousId) return missingIdentity();
      break;
    }
    case 'identify':
      if (!ids.userId && !ids.anonymousId) return missingIdentity();
      break;
    case 'group':
      if (!ids.groupId) return reject('MISSING_GROUP_ID', 'groupId', 'a group call needs a groupId');
      if (!ids.userId && !ids.anonymousId) return missingIdentity();
      break;
    case 'alias':
      // An alias links previousId to userId; an anonymousId cannot stand in for either.
      if (!ids.previousId) return reject('MISSING_IDENTITY', 'previousId', 'an alias call needs a previousId');
      if (!ids.userId) return reject('MISSING_IDENTITY', 'userId', 'an alias call needs a userId');
      break;
    default: {
      const unreachable: never = callType;
      throw new RangeError(`unhandled call type ${String(unreachable)}`);
    }
  }

  const itemSentAt = own(raw, 'sentAt');
  const sentAtFromBatch = (itemSentAt === undefined || itemSentAt === null) && env.batchSentAt !== undefined && env.batchSentAt !== null;
  const sentAt = parseTimestamp(
    sentAtFromBatch ? env.batchSentAt : itemSentAt,
    sentAtFromBatch ? `${BATCH_FIELD_PREFIX}sentAt` : 'sentAt',
    source.timezone,
  );
  if (!sentAt.ok) return sentAt;
  const timestamp = parseTimestamp(own(raw, 'timestamp'), 'timestamp', source.timezone);
  if (!timestamp.ok) return timestamp;
  const originalTimestamp = parseTimestamp(own(raw, 'originalTimestamp'), 'originalTimestamp', source.timezone);
  if (!originalTimestamp.ok) return originalTimestamp;
  const times = resolveEventTime(
    { timestamp: timestamp.value, originalTimestamp: originalTimestamp.value, sentAt: sentAt.value },
    env.receivedAt,
  );
  if (!times.ok) return times;

  const contact = { defaultPhoneRegion: source.defaultPhoneRegion };
  const traits = cleanContactFields(objects.traits, 'traits', { ...contact, names: true });
  const cleanedProperties = cleanContactFields(properties, 'properties', { ...contact, names: false });
  properties = cleanedProperties.cleaned;
  const invalidIdentifiers = { ...traits.invalid, ...cleanedProperties.invalid };
  let context = objects.context;
  const contextTraits = own(context, 'traits');
  if (isJsonObject(contextTraits)) {
    const cleaned = cleanContactFields(contextTraits, 'context.traits', { ...contact, names: true });
    context = { ...context };
    setOwn(context, 'traits', cleaned.cleaned);
    Object.assign(invalidIdentifiers, cleaned.invalid);
  }

  const currency = cleanCurrency(own(properties, 'currency'), 'properties.currency');
  if (!currency.ok) return currency;
  if (currency.value !== null) setOwn(properties, 'currency', currency.value);

  let commerce: Commerce | null = null;
  const notes: JsonObject = {};
  if (event !== null) {
    const canonical = canonicalEcommerceEvent(event);
    if (canonical !== null) {
      const mapped = mapCommerce(canonical, properties, source.storeId);
      if (!mapped.ok) return mapped;
      commerce = mapped.value;
      if (canonical !== event) {
        // Downstream services match the spec's names ("Order Completed"); the client's spelling is kept.
        setOwn(notes, 'originalEvent', event);
        event = canonical;
      }
    }
  }
  if (Object.keys(invalidIdentifiers).length > 0) setOwn(notes, 'invalidIdentifiers', invalidIdentifiers);
  // `context.cdp` is ingestion's own namespace: a client must not be able to forge what it says.
  context = { ...context };
  delete context.cdp;
  if (Object.keys(notes).length > 0) setOwn(context, 'cdp', notes);

  const rawMessageId = own(raw, 'messageId');
  const clientMessageId = typeof rawMessageId === 'string' ? rawMessageId.trim() : '';
  const messageId = clientMessageId !== '' && clientMessageId.length <= MAX_MESSAGE_ID_LENGTH ? clientMessageId : env.newMessageId();

  return {
    ok: true,
    event: {
      messageId,
      type: callType,
      event,
      name,
      anonymousId: ids.anonymousId,
      userId: ids.userId,
      previousId: ids.previousId,
      groupId: ids.groupId,
      timestamp: times.value.timestamp,
      originalTimestamp: times.value.originalTimestamp,
      sentAt: times.value.sentAt,
      receivedAt: env.receivedAt,
      sourceId: source.sourceId,
      channel: source.channel,
      context: JSON.stringify(context),
      traits: JSON.stringify(traits.cleaned),
      properties: JSON.stringify(properties),
      commerce,
      integrations: JSON.stringify(objects.integrations),
    },
  };
}

/** UTF-8 bytes of the call's JSON; exact only when it may be near the limit (a UTF-16 unit is 1 to 3 bytes). */
function serialisedBytes(raw: JsonObject): number {
  const json = JSON.stringify(raw);
  return json.length * 3 > SEGMENT_LIMITS.maxEventBytes ? utf8ByteLength(json) : json.length;
}

function isCallType(value: unknown): value is SegmentCallType {
  return typeof value === 'string' && (SEGMENT_CALL_TYPES as readonly string[]).includes(value);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : jsonTypeOf(value);
}

function missingIdentity(): { ok: false; rejection: Rejection } {
  return reject('MISSING_IDENTITY', 'userId', 'a userId or an anonymousId is required');
}

/**
 * Page and screen calls: `name` is a top-level field of the contract; `category` has no field of its
 * own, so it joins the properties, where analytics.js also puts it.
 */
function pageFields(raw: JsonObject, properties: JsonObject): { ok: true; value: { name: string | null; properties: JsonObject } } | { ok: false; rejection: Rejection } {
  const fields: Record<'name' | 'category', string | null> = { name: null, category: null };
  for (const key of ['name', 'category'] as const) {
    const value = own(raw, key);
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' && Number.isFinite(value)) fields[key] = String(value);
    else if (typeof value === 'string') fields[key] = value.trim() === '' ? null : value.trim();
    else return reject('INVALID_FIELD', key, `${key} must be a string, got ${jsonTypeOf(value)}`);
  }
  let merged = properties;
  if (fields.category !== null && own(properties, 'category') === undefined) {
    merged = { ...properties };
    setOwn(merged, 'category', fields.category);
  }
  return { ok: true, value: { name: fields.name, properties: merged } };
}
