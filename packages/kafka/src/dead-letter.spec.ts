import { AvroSerde, InRepoSchemaRegistry } from '@cdp/avro';
import type { DeadLetter } from '@cdp/contracts';
import { buildDeadLetter, DEAD_LETTER_SCHEMA, deterministicUuid } from './dead-letter';

describe('dead letters', () => {
  const original = Buffer.from([0x07, 0xff, 0x00, 0x42]);
  const input = {
    reason: 'AVRO_BAD_MAGIC',
    message: 'first byte is 0x07, expected 0x00',
    value: original,
    key: Buffer.from('anon-1'),
    headers: { 'cdp-event-id': 'evt-1' },
    source: { topic: 'cdp.ingest.events', partition: 4, offset: '1234', groupId: 'identity' },
    attempts: 1,
    eventId: 'evt-1',
    producer: 'identity',
    occurredAt: 1_700_000_000_000,
  };

  it('keeps the original bytes and where they came from', () => {
    const record = buildDeadLetter(input);
    expect(record.data.originalValue.equals(original)).toBe(true);
    expect(record.data).toMatchObject({
      reason: 'AVRO_BAD_MAGIC',
      sourceTopic: 'cdp.ingest.events',
      sourcePartition: 4,
      sourceOffset: 1234,
      consumerGroup: 'identity',
      attempts: 1,
    });
    expect(record.data.originalHeaders['cdp-event-id'].toString()).toBe('evt-1');
  });

  it('gets the same id when the same message is dead-lettered again (reprocessing dedupes it)', () => {
    expect(buildDeadLetter(input).id).toBe(buildDeadLetter({ ...input, occurredAt: 1_800_000_000_000, attempts: 4 }).id);
    expect(buildDeadLetter(input).id).not.toBe(buildDeadLetter({ ...input, source: { ...input.source, offset: '1235' } }).id);
    expect(deterministicUuid(['a'])).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('round-trips through the contract schema with the original bytes intact', async () => {
    const serde = new AvroSerde(new InRepoSchemaRegistry());
    const bytes = await serde.encode(DEAD_LETTER_SCHEMA, buildDeadLetter(input));
    const { value } = await serde.decode<DeadLetter>(bytes);
    expect(value.data.originalValue.equals(original)).toBe(true);
    expect(value.data.reason).toBe('AVRO_BAD_MAGIC');
  });
});
