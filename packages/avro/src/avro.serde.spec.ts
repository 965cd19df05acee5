import { Type, type Schema } from 'avsc';
import {
  type AvroRecordSchema,
  type AvroSchemaJson,
  type IngestedEvent,
  contractSchemaNames,
  latestSchema,
  schemaIdOf,
  schemaVersions,
} from '@cdp/contracts';
import { AvroSerde } from './avro.serde';
import { InRepoSchemaRegistry } from './in-repo-schema.registry';
import type { SchemaRegistry } from './schema-registry';
import { frame } from './wire-format';

const INGESTED = 'cdp.ingest.IngestedEvent';

function ingestedEvent(overrides: Partial<IngestedEvent> = {}): IngestedEvent {
  return {
    messageId: 'msg-1',
    type: 'track',
    event: 'Order Completed',
    name: null,
    anonymousId: 'anon-1',
    userId: 'user-1',
    previousId: null,
    groupId: null,
    timestamp: 1_767_225_600_000,
    originalTimestamp: 1_767_225_599_000,
    sentAt: null,
    receivedAt: 1_767_225_601_000,
    sourceId: 'pos-eu',
    channel: 'pos',
    context: '{"locale":"de-DE"}',
    traits: '{}',
    properties: '{"orderId":"o-9"}',
    commerce: {
      orderId: 'o-9',
      revenue: 42.5,
      currency: 'EUR',
      discount: 2,
      tax: 6.79,
      shipping: null,
      coupon: 'WINTER',
      storeId: 'store-17',
      products: [{ sku: 'SKU-1', productId: 'p-1', name: 'Coffee', category: 'Grocery', brand: 'Acme', price: 21.25, quantity: 2, variant: 'beans' }],
    },
    integrations: '{}',
    ...overrides,
  };
}

/** Counts registry calls; the registry answers from contracts/ as in production. */
class CountingRegistry implements SchemaRegistry {
  idForCalls = 0;
  schemaByIdCalls = 0;
  failures = 0;
  constructor(private readonly inner: SchemaRegistry = new InRepoSchemaRegistry()) {}
  async idFor(subject: string, schema: AvroSchemaJson): Promise<number> {
    this.idForCalls++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('registry down');
    }
    return this.inner.idFor(subject, schema);
  }
  async schemaById(id: number): Promise<AvroSchemaJson> {
    this.schemaByIdCalls++;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('registry down');
    }
    return this.inner.schemaById(id);
  }
}

describe('AvroSerde', () => {
  const registry = new InRepoSchemaRegistry();

  it('encodes the latest version in the Confluent wire format and decodes it back', async () => {
    const serde = new AvroSerde(registry);
    const event = ingestedEvent();
    const bytes = await serde.encode(INGESTED, event);
    expect(bytes[0]).toBe(0);
    expect(bytes.readUInt32BE(1)).toBe(schemaIdOf(INGESTED, 2));
    const decoded = await new AvroSerde(registry).decode<IngestedEvent>(bytes);
    expect(decoded).toEqual({ value: event, schemaId: schemaIdOf(INGESTED, 2), fullName: INGESTED });
  });

  it('round-trips values of every contract record', async () => {
    const writer = new AvroSerde(registry);
    const reader = new AvroSerde(registry);
    for (const name of contractSchemaNames()) {
      const type = Type.forSchema(latestSchema(name).schema as Schema);
      for (let i = 0; i < 20; i++) {
        const value: unknown = type.random();
        const decoded = await reader.decode(await writer.encode(name, value));
        expect(decoded.fullName).toBe(name);
        expect(type.toBuffer(decoded.value).equals(type.toBuffer(value))).toBe(true);
      }
    }
  });

  it('decodes messages written by an older producer (v1) into the current shape (v2) with defaults', async () => {
    const oldProducer = new AvroSerde(registry, { localSchema: (name) => schemaVersions(name)[0].schema });
    const { integrations: _dropped, ...v1Event } = ingestedEvent();
    const v1Commerce = { ...v1Event.commerce!, products: v1Event.commerce!.products.map(({ variant: _v, ...p }) => p) };
    const bytes = await oldProducer.encode(INGESTED, { ...v1Event, commerce: v1Commerce });
    expect(bytes.readUInt32BE(1)).toBe(schemaIdOf(INGESTED, 1));

    const decoded = await new AvroSerde(registry).decode<IngestedEvent>(bytes);
    expect(decoded.schemaId).toBe(schemaIdOf(INGESTED, 1));
    expect(decoded.value).toEqual(ingestedEvent({ integrations: '{}', commerce: { ...ingestedEvent().commerce!, products: [{ ...ingestedEvent().commerce!.products[0], variant: null }] } }));
  });

  it('validates on encode and names the offending field paths', async () => {
    const serde = new AvroSerde(registry);
    const bad = ingestedEvent({ commerce: { ...ingestedEvent().commerce!, products: [{ ...ingestedEvent().commerce!.products[0], price: '21.25' as unknown as number }] } });
    await expect(serde.encode(INGESTED, bad)).rejects.toMatchObject({ code: 'AVRO_INVALID_VALUE', details: { paths: ['commerce.products.0.price'] } });
    const { messageId: _missing, ...noId } = ingestedEvent();
    await expect(serde.encode(INGESTED, noId)).rejects.toMatchObject({ code: 'AVRO_INVALID_VALUE', details: { paths: ['messageId'] } });
    await expect(serde.encode(INGESTED, ingestedEvent({ type: 'purchase' as IngestedEvent['type'] }))).rejects.toMatchObject({ code: 'AVRO_INVALID_VALUE' });
  });

  it('refuses to encode a record it has no schema for', async () => {
    await expect(new AvroSerde(registry).encode('cdp.nope.Unknown', {})).rejects.toMatchObject({ code: 'AVRO_UNKNOWN_SCHEMA' });
  });

  it('encodes values larger than its scratch buffer', async () => {
    const serde = new AvroSerde(registry);
    const event = ingestedEvent({ properties: JSON.stringify({ blob: 'x'.repeat(300_000) }) });
    const decoded = await serde.decode<IngestedEvent>(await serde.encode(INGESTED, event));
    expect(decoded.value.properties).toBe(event.properties);
    expect((await serde.decode<IngestedEvent>(await serde.encode(INGESTED, ingestedEvent()))).value).toEqual(ingestedEvent());
  });

  describe('decode errors carry codes a dead-letter reason can use', () => {
    const serde = new AvroSerde(registry);
    it.each([
      ['AVRO_BAD_MAGIC', Buffer.from('{"type":"track"}')],
      ['AVRO_TRUNCATED', Buffer.from([0, 0, 0])],
      ['AVRO_UNKNOWN_SCHEMA', frame(987_654, Buffer.from([2, 65]))],
      ['AVRO_MALFORMED_BODY', frame(schemaIdOf(INGESTED, 2), Buffer.from([0xff, 0xff, 0xff]))],
    ])('%s', async (code, bytes) => {
      await expect(serde.decode(bytes)).rejects.toMatchObject({ code });
    });

    it('AVRO_MALFORMED_BODY for trailing bytes after a valid body', async () => {
      const bytes = await serde.encode(INGESTED, ingestedEvent());
      await expect(serde.decode(Buffer.concat([bytes, Buffer.from([1, 2, 3])]))).rejects.toMatchObject({ code: 'AVRO_MALFORMED_BODY' });
    });

    it('AVRO_INCOMPATIBLE_SCHEMA when asked to read a record as an unrelated one', async () => {
      const bytes = await serde.encode(INGESTED, ingestedEvent());
      await expect(serde.decode(bytes, 'cdp.privacy.ErasureRequested')).rejects.toMatchObject({ code: 'AVRO_INCOMPATIBLE_SCHEMA' });
    });
  });

  describe('caching on the hot path', () => {
    it('asks the registry once per record on encode and once per schema id on decode', async () => {
      const counting = new CountingRegistry();
      const producer = new AvroSerde(counting);
      const messages = await Promise.all(Array.from({ length: 200 }, (_, i) => producer.encode(INGESTED, ingestedEvent({ messageId: `m-${i}` }))));
      expect(counting.idForCalls).toBe(1);

      const consumer = new AvroSerde(counting);
      const decoded = await Promise.all(messages.map((m) => consumer.decode<IngestedEvent>(m)));
      expect(decoded.map((d) => d.value.messageId)).toEqual(messages.map((_, i) => `m-${i}`));
      expect(counting.schemaByIdCalls).toBe(1);
    });

    it('decodes synchronously with decodeKnown once the schema id has been seen', async () => {
      const bytes = await new AvroSerde(registry).encode(INGESTED, ingestedEvent());
      const consumer = new AvroSerde(registry);
      expect(consumer.decodeKnown(bytes)).toBeUndefined();
      await consumer.decode(bytes);
      expect(consumer.decodeKnown<IngestedEvent>(bytes)?.value.messageId).toBe('msg-1');
    });

    it('encodes synchronously with encodeKnown after prepare', async () => {
      const serde = new AvroSerde(registry);
      expect(() => serde.encodeKnown(INGESTED, ingestedEvent())).toThrow(expect.objectContaining({ code: 'AVRO_UNKNOWN_SCHEMA' }));
      await serde.prepare(INGESTED);
      expect((await serde.decode<IngestedEvent>(serde.encodeKnown(INGESTED, ingestedEvent()))).value).toEqual(ingestedEvent());
    });

    it('does not remember a registry failure: the next call succeeds', async () => {
      const counting = new CountingRegistry();
      const serde = new AvroSerde(counting);
      counting.failures = 1;
      await expect(serde.encode(INGESTED, ingestedEvent())).rejects.toThrow('registry down');
      await expect(serde.encode(INGESTED, ingestedEvent())).resolves.toBeInstanceOf(Buffer);

      const bytes = await new AvroSerde(registry).encode(INGESTED, ingestedEvent());
      const consumer = new AvroSerde(counting);
      counting.failures = 1;
      await expect(consumer.decode(bytes)).rejects.toThrow('registry down');
      await expect(consumer.decode(bytes)).resolves.toMatchObject({ fullName: INGESTED });
    });
  });

  it('decodes a record it has no local version of in the writer shape', async () => {
    const foreign: AvroRecordSchema = { type: 'record', name: 'Foreign', namespace: 'cdp.test', fields: [{ name: 'n', type: 'int' }] };
    const withForeign = new InRepoSchemaRegistry({ schemas: [{ name: 'cdp.test.Foreign', version: 1, schema: foreign }], ids: new Map([['cdp.test.Foreign@v1', 77]]) });
    const producer = new AvroSerde(withForeign, { localSchema: (name) => (name === 'cdp.test.Foreign' ? foreign : undefined) });
    const bytes = await producer.encode('cdp.test.Foreign', { n: 5 });
    const consumer = new AvroSerde(withForeign);
    expect(await consumer.decode(bytes)).toEqual({ value: { n: 5 }, schemaId: 77, fullName: 'cdp.test.Foreign' });
    await expect(consumer.decode(bytes, 'cdp.test.Foreign')).rejects.toMatchObject({ code: 'AVRO_UNKNOWN_SCHEMA' });
  });
});
