import { KafkaRuntimeError } from './errors';

/**
 * A handler's verdict on one message (pipeline results): `ok` applied; `drop` deliberately ignored
 * (counted and logged, still marked processed); `dlq` rejected, sent to the dead-letter topic in
 * the same transaction; `retry` transient trouble with this message: the whole transaction is
 * rolled back and retried, and if it keeps asking, the message is dead-lettered.
 */
export type MessageResult =
  | { readonly kind: 'ok' }
  | { readonly kind: 'drop'; readonly reason: string }
  | { readonly kind: 'dlq'; readonly reason: string; readonly message?: string }
  | { readonly kind: 'retry'; readonly reason: string };

export const ok = (): MessageResult => ({ kind: 'ok' });
export const drop = (reason: string): MessageResult => ({ kind: 'drop', reason });
export const dlq = (reason: string, message?: string): MessageResult => ({ kind: 'dlq', reason, message });
export const retry = (reason: string): MessageResult => ({ kind: 'retry', reason });

/** What a batch handler returns; messages it does not mention are `ok`. Keyed by event id. */
export interface BatchResult {
  readonly results?: ReadonlyMap<string, MessageResult> | Readonly<Record<string, MessageResult>>;
}

export function batchResult(entries: Iterable<readonly [eventId: string, result: MessageResult]>): BatchResult {
  return { results: new Map(entries) };
}

export interface PartitionedResults<M> {
  applied: M[];
  dropped: Array<{ message: M; reason: string }>;
  deadLettered: Array<{ message: M; reason: string; detail?: string }>;
  retry: Array<{ message: M; reason: string }>;
}

/** Sorts the handled messages by verdict; a verdict for an event id that was not in the batch is a bug. */
export function partitionResults<M extends { eventId: string }>(messages: readonly M[], result: BatchResult | void | undefined): PartitionedResults<M> {
  const out: PartitionedResults<M> = { applied: [], dropped: [], deadLettered: [], retry: [] };
  const verdicts = toMap(result?.results);
  const known = new Set(messages.map((m) => m.eventId));
  for (const eventId of verdicts.keys()) {
    if (!known.has(eventId)) {
      throw new KafkaRuntimeError('KAFKA_RESULT_INVALID', `Handler returned a result for event ${eventId}, which is not in the batch`);
    }
  }
  for (const message of messages) {
    const verdict = verdicts.get(message.eventId) ?? { kind: 'ok' };
    switch (verdict.kind) {
      case 'ok':
        out.applied.push(message);
        break;
      case 'drop':
        out.dropped.push({ message, reason: verdict.reason });
        break;
      case 'dlq':
        out.deadLettered.push({ message, reason: verdict.reason, detail: verdict.message });
        break;
      case 'retry':
        out.retry.push({ message, reason: verdict.reason });
        break;
      default: {
        const unreachable: never = verdict;
        throw new KafkaRuntimeError('KAFKA_RESULT_INVALID', `Unknown message result ${JSON.stringify(unreachable)}`);
      }
    }
  }
  return out;
}

function toMap(results: BatchResult['results']): ReadonlyMap<string, MessageResult> {
  if (!results) return new Map();
  if (results instanceof Map) return results;
  return new Map(Object.entries(results));
}
