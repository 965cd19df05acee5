import { batchResult, dlq, drop, ok, partitionResults, retry } from './batch-result';
import { KafkaRuntimeError } from './errors';

const messages = ['a', 'b', 'c', 'd', 'e'].map((eventId) => ({ eventId }));

describe('partitionResults', () => {
  it('treats a handler returning nothing as every message applied', () => {
    expect(partitionResults(messages, undefined).applied).toEqual(messages);
  });

  it('sorts messages by verdict, keeping offset order within each', () => {
    const parts = partitionResults(
      messages,
      batchResult([
        ['b', dlq('INVALID_EMAIL', 'email "x" is not an address')],
        ['c', drop('TEST_TRAFFIC')],
        ['d', retry('PROFILE_LOCKED')],
        ['e', ok()],
      ]),
    );
    expect(parts.applied.map((m) => m.eventId)).toEqual(['a', 'e']);
    expect(parts.deadLettered).toEqual([{ message: { eventId: 'b' }, reason: 'INVALID_EMAIL', detail: 'email "x" is not an address' }]);
    expect(parts.dropped).toEqual([{ message: { eventId: 'c' }, reason: 'TEST_TRAFFIC' }]);
    expect(parts.retry).toEqual([{ message: { eventId: 'd' }, reason: 'PROFILE_LOCKED' }]);
  });

  it('accepts verdicts as a plain object too', () => {
    expect(partitionResults(messages, { results: { a: dlq('BAD') } }).deadLettered).toHaveLength(1);
  });

  it('refuses a verdict for an event that is not in the batch (a handler bug, not a message to lose)', () => {
    expect(() => partitionResults(messages, batchResult([['zzz', dlq('BAD')]]))).toThrow(KafkaRuntimeError);
  });
});
