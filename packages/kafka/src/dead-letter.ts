import { createHash } from 'node:crypto';
import { type ContractName, type DeadLetter, LATEST_CONTRACT_VERSIONS } from '@cdp/contracts';
import type { StringHeaders } from './headers';

export const DEAD_LETTER_SCHEMA: ContractName = 'cdp.ingest.DeadLetter';

/** Reason codes the runtime itself assigns; handlers pass their own (upper snake case) for `dlq`. */
export const DeadLetterReason = {
  /** Value could not be decoded; the serde's error code is used when it has one (AVRO_BAD_MAGIC, ...). */
  undecodable: 'UNDECODABLE',
  /** The handler threw (or asked to retry) on this message until the retry budget ran out. */
  retriesExhausted: 'RETRIES_EXHAUSTED',
  /** The handler returned `dlq` without a code. */
  handlerRejected: 'HANDLER_REJECTED',
} as const;

export type DeadLetterRecord = DeadLetter;

export interface DeadLetterInput {
  reason: string;
  message: string;
  /** Original bytes exactly as consumed (or received); never re-encoded. */
  value: Buffer | null;
  key?: Buffer | null;
  headers?: StringHeaders;
  source?: { topic: string; partition: number; offset: string; groupId?: string };
  sourceId?: string | null;
  attempts: number;
  /** Id of the event that failed, when it is known (becomes the causation id). */
  eventId?: string | null;
  producer: string;
  occurredAt: number;
}

/**
 * Builds the dead-letter record. Its id is derived from where the message came from, so a
 * reprocessed batch produces the same dead letter id and downstream dedupe keeps it once.
 */
export function buildDeadLetter(input: DeadLetterInput): DeadLetterRecord {
  const originalHeaders: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) originalHeaders[k] = Buffer.from(v, 'utf8');
  const offset = input.source ? Number(input.source.offset) : null;
  return {
    id: input.source
      ? deterministicUuid(['dead-letter', input.source.groupId ?? '', input.source.topic, String(input.source.partition), input.source.offset])
      : deterministicUuid(['dead-letter', input.eventId ?? '', input.reason, String(input.occurredAt), input.value?.toString('base64') ?? '']),
    type: 'MessageDeadLettered',
    occurredAt: input.occurredAt,
    data: {
      reason: input.reason,
      message: input.message,
      originalValue: input.value ?? Buffer.alloc(0),
      originalKey: input.key ?? null,
      originalHeaders,
      sourceTopic: input.source?.topic ?? null,
      sourcePartition: input.source?.partition ?? null,
      sourceOffset: offset !== null && Number.isSafeInteger(offset) ? offset : null,
      sourceId: input.sourceId ?? null,
      consumerGroup: input.source?.groupId ?? null,
      attempts: input.attempts,
    },
    metadata: {
      correlationId: input.eventId ?? null,
      causationId: input.eventId ?? null,
      producer: input.producer,
      schemaVersion: LATEST_CONTRACT_VERSIONS[DEAD_LETTER_SCHEMA],
    },
  };
}

/** Name-based UUID (version 5 layout over SHA-1) of the given parts. */
export function deterministicUuid(parts: readonly string[]): string {
  const hash = createHash('sha1').update(parts.join('\u0000')).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
