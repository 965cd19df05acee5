import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { TOPICS, type IngestedEvent } from '@cdp/contracts';
import { buildDeadLetter, DEAD_LETTER_SCHEMA, type EncodedRecord } from '@cdp/kafka';
import { normalizeSegmentEvent, partitionKeyOf, SEGMENT_LIMITS, type NormalizeEnv, type NormalizeResult, type Rejection, type SegmentCallType, type SourceContext } from '../domain';
import { IngestProducer } from '../kafka/ingest-producer';
import { batchBodyParts, nestingDepth } from './batch-items';
import { EventPublisher } from './event-publisher';
import { IngestionError } from './ingestion.error';
import { IngestionMetrics } from './ingestion.metrics';
import { SharedRateLimiter, type RateDecision } from './rate-limiter';
import { writeKeyOf } from './secrets';
import { decodePayload, type SegmentRequest } from './segment-payload';
import { SourcesService, type AuthenticatedSource } from './sources.service';

/** Segment's answer to an accepted call, which its libraries check for. */
export interface SegmentSuccess {
  success: true;
}

export interface RejectedItem {
  index: number;
  code: string;
  field: string | null;
  message: string;
}

/** /v1/batch and /v1/import: Segment's answer plus the items that went to the dead-letter topic. */
export interface BatchSuccess extends SegmentSuccess {
  rejected: RejectedItem[];
}

const INGESTION_PRODUCER = 'ingestion';
const CONTRACT_VIOLATION = 'CONTRACT_VIOLATION';
const NORMALIZATION_FAILED = 'NORMALIZATION_FAILED';
/** Deeper than any real Segment call; deeper values could exhaust the stack of recursive code. */
const MAX_NESTING_DEPTH = 64;

type Accepted = { index: number; record: EncodedRecord };
type Refused = { index: number; rejection: Rejection | { code: string; field: string | null; message: string } };

/**
 * The online ingestion path: decode, authenticate, rate-limit, normalise (domain), then dedupe and
 * produce (EventPublisher). Nothing is answered 2xx before Kafka acknowledged it.
 */
@Injectable()
export class SegmentIngestService {
  private readonly logger = new Logger('SegmentIngest');

  constructor(
    private readonly sources: SourcesService,
    private readonly publisher: EventPublisher,
    private readonly producer: IngestProducer,
    private readonly metrics: IngestionMetrics,
    private readonly rateLimiter: SharedRateLimiter,
  ) {}

  /**
   * /v1/track, /v1/identify, ...: one event. An invalid one is kept on the dead-letter topic (reason and
   * original bytes) and then refused with 422 naming the field: bad input is answered, never lost.
   */
  async single(type: SegmentCallType, request: SegmentRequest): Promise<SegmentSuccess> {
    const receivedAt = Date.now();
    const source = await this.authenticate(request, SEGMENT_LIMITS.maxEventBytes);
    const payload = await decodePayload(request, SEGMENT_LIMITS.maxEventBytes);
    await this.admit(source, 1);
    await this.producer.prepare();
    const result = this.normalize(payload.bytes, payload.value, type, source.context, { receivedAt, newMessageId: randomUUID, sentBytes: payload.bytes.length });
    const encoded = result.ok ? this.encode(result.event) : { ok: false as const, rejection: result.rejection };
    if (!encoded.ok) {
      const deadLetter = this.deadLetter(source.context, encoded.rejection, payload.bytes, receivedAt);
      await this.publish(source, receivedAt, [], [deadLetter]);
      this.metrics.count(source.context.sourceId, 'rejected', 1, encoded.rejection.code);
      const { code, field, message } = encoded.rejection;
      throw new IngestionError('INVALID_EVENT', field ? `${field}: ${message}` : message, 422, { field, reason: code });
    }
    await this.publish(source, receivedAt, [encoded.record], []);
    return { success: true };
  }

  /** /v1/batch and /v1/import: invalid items go to the dead-letter topic, the valid ones are kept. */
  async batch(request: SegmentRequest): Promise<BatchSuccess> {
    const receivedAt = Date.now();
    const source = await this.authenticate(request, SEGMENT_LIMITS.maxBatchBytes);
    const payload = await decodePayload(request, SEGMENT_LIMITS.maxBatchBytes);
    const body = payload.value;
    if (!body || typeof body !== 'object' || Array.isArray(body) || !Array.isArray((body as { batch?: unknown }).batch)) {
      throw new IngestionError('INVALID_BATCH', 'Expected a JSON object with a "batch" array', 422, { field: 'batch' });
    }
    const { batch: items, sentAt, context } = body as { batch: unknown[]; sentAt?: unknown; context?: unknown };
    const { items: originals, context: contextBytes } = batchBodyParts(payload.bytes);
    if (contextBytes && nestingDepth(contextBytes) > MAX_NESTING_DEPTH) {
      throw new IngestionError('INVALID_BATCH', `The batch context nests deeper than ${MAX_NESTING_DEPTH} levels`, 422, { field: 'context' });
    }
    await this.admit(source, Math.max(1, items.length));
    await this.producer.prepare();

    const originalOf = (index: number) => originals[index]?.bytes ?? Buffer.from(JSON.stringify(items[index]) ?? 'null');
    const accepted: Accepted[] = [];
    const refused: Refused[] = [];
    for (const [index, item] of items.entries()) {
      if (originalOf(index).length > SEGMENT_LIMITS.maxEventBytes) {
        refused.push({ index, rejection: { code: 'EVENT_TOO_LARGE', field: null, message: `the item exceeds ${SEGMENT_LIMITS.maxEventBytes / 1024} KB` } });
        continue;
      }
      const original = originalOf(index);
      const env = { receivedAt, newMessageId: randomUUID, batchSentAt: sentAt, batchContext: context, sentBytes: original.length };
      const result = this.normalize(original, item, undefined, source.context, env, originals[index]?.depth);
      const encoded = result.ok ? this.encode(result.event) : { ok: false as const, rejection: result.rejection };
      if (encoded.ok) accepted.push({ index, record: encoded.record });
      else refused.push({ index, rejection: encoded.rejection });
    }

    const deadLetters = refused.map(({ index, rejection }) => this.deadLetter(source.context, rejection, originalOf(index), receivedAt));
    await this.publish(source, receivedAt, accepted.map((a) => a.record), deadLetters);
    for (const { rejection } of refused) this.metrics.count(source.context.sourceId, 'rejected', 1, rejection.code);
    return { success: true, rejected: refused.map(({ index, rejection }) => ({ index, code: rejection.code, field: rejection.field, message: rejection.message })) };
  }

  private async authenticate(request: SegmentRequest, limit: number): Promise<AuthenticatedSource> {
    // With Basic auth the key is checked before the body is parsed; only keyless requests pay for parsing twice.
    const fromHeader = writeKeyOf(request.authorization, undefined);
    if (fromHeader) return this.sources.authenticate(fromHeader);
    return this.sources.authenticate(writeKeyOf(undefined, (await decodePayload(request, limit)).value));
  }

  /** The domain's normaliser, shielded from values deep enough to overflow the stack, and from its own bugs. `depth`: nestingDepth(bytes), when the caller has it already. */
  private normalize(
    bytes: Buffer,
    raw: unknown,
    type: SegmentCallType | undefined,
    source: SourceContext,
    env: NormalizeEnv,
    depth = nestingDepth(bytes),
  ): NormalizeResult | { ok: false; rejection: Refused['rejection'] } {
    if (depth > MAX_NESTING_DEPTH) {
      return { ok: false, rejection: { code: 'INVALID_FIELD', field: null, message: `objects and arrays nest deeper than ${MAX_NESTING_DEPTH} levels` } };
    }
    try {
      return normalizeSegmentEvent(raw, type, source, env);
    } catch (error) {
      this.logger.error({ err: error }, 'the normaliser threw; the call is rejected');
      return { ok: false, rejection: { code: NORMALIZATION_FAILED, field: null, message: 'the event could not be normalised' } };
    }
  }

  /** The source's rate limit, shared by every instance; refused requests keep nothing and count as rejected. */
  private async admit(source: AuthenticatedSource, events: number): Promise<void> {
    let decision: RateDecision;
    try {
      decision = await this.rateLimiter.take(source.context.sourceId, source.rateLimitPerSecond, events);
    } catch (error) {
      throw IngestionError.unavailable('DATABASE_UNAVAILABLE', 'The rate limit cannot be checked right now', error);
    }
    if (decision.allowed) return;
    this.metrics.count(source.context.sourceId, 'rejected', events, 'RATE_LIMITED');
    throw new IngestionError('RATE_LIMITED', `Source ${source.context.sourceId} exceeds ${source.rateLimitPerSecond} events per second`, 429, {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }

  private encode(event: IngestedEvent): { ok: true; record: EncodedRecord } | { ok: false; rejection: Refused['rejection'] } {
    try {
      return { ok: true, record: this.producer.encodePrepared({ topic: TOPICS.ingestEvents, key: partitionKeyOf(event), schema: TOPICS.ingestEvents.valueSchema, value: event, eventId: event.messageId }) };
    } catch (error) {
      // The normaliser promises contract-valid events; should one slip through it is dead-lettered, not lost.
      return { ok: false, rejection: { code: CONTRACT_VIOLATION, field: null, message: (error as Error).message } };
    }
  }

  private deadLetter(source: SourceContext, rejection: Refused['rejection'], original: Buffer, receivedAt: number): EncodedRecord {
    const built = buildDeadLetter({
      reason: rejection.code,
      message: rejection.field ? `${rejection.field}: ${rejection.message}` : rejection.message,
      value: original,
      sourceId: source.sourceId,
      attempts: 1,
      producer: INGESTION_PRODUCER,
      occurredAt: receivedAt,
    });
    // buildDeadLetter's content-derived id would merge identical rejected items; each item is its own dead letter.
    const record = { ...built, id: randomUUID() };
    return this.producer.encodePrepared({ topic: TOPICS.ingestDeadLetter, key: record.id, schema: DEAD_LETTER_SCHEMA, value: record, eventId: record.id });
  }

  private async publish(source: AuthenticatedSource, receivedAt: number, events: EncodedRecord[], deadLetters: EncodedRecord[]): Promise<void> {
    const outcome = await this.publisher.publish(source.context.sourceId, receivedAt, events, deadLetters);
    this.metrics.count(source.context.sourceId, 'accepted', outcome.produced);
    this.metrics.count(source.context.sourceId, 'deduplicated', outcome.duplicates);
  }
}
