import { type IngestedEvent, latestSchema } from '@cdp/contracts';
import { ConfluentRegistryStub } from '../test/confluent-registry.stub';
import { AvroSerde } from './avro.serde';
import { ConfluentSchemaRegistry } from './confluent-schema.registry';
import { InRepoSchemaRegistry } from './in-repo-schema.registry';
import { createSchemaRegistry } from './schema-registry.factory';

const INGESTED = 'cdp.ingest.IngestedEvent';
const event: IngestedEvent = {
  messageId: 'm-1',
  type: 'identify',
  event: null,
  name: null,
  anonymousId: 'a-1',
  userId: 'u-1',
  previousId: null,
  groupId: null,
  timestamp: 1_767_225_600_000,
  originalTimestamp: null,
  sentAt: null,
  receivedAt: 1_767_225_600_500,
  sourceId: 'web',
  channel: 'web',
  context: '{}',
  traits: '{"email":"ada@example.com"}',
  properties: '{}',
  commerce: null,
  integrations: '{}',
};

describe('ConfluentSchemaRegistry', () => {
  let stub: ConfluentRegistryStub;
  let url: string;

  beforeEach(async () => {
    stub = new ConfluentRegistryStub();
    url = await stub.start();
  });
  afterEach(() => stub.stop());

  it('registers under the record-name subject and serves the schema back by id', async () => {
    const client = new ConfluentSchemaRegistry({ url });
    const schema = latestSchema(INGESTED).schema;
    const id = await client.idFor(INGESTED, schema);
    expect(stub.subjectsRegistered()).toEqual([INGESTED]);
    expect(stub.requests[0]).toMatchObject({ method: 'POST', path: `/subjects/${INGESTED}/versions`, contentType: 'application/vnd.schemaregistry.v1+json' });
    expect(JSON.parse((JSON.parse(stub.requests[0].body) as { schema: string }).schema)).toEqual(schema);
    expect(await new ConfluentSchemaRegistry({ url }).schemaById(id)).toEqual(schema);
  });

  it('carries messages between two processes through the registry', async () => {
    const producer = new AvroSerde(new ConfluentSchemaRegistry({ url }));
    const bytes = await producer.encode(INGESTED, event);
    const decoded = await new AvroSerde(new ConfluentSchemaRegistry({ url })).decode<IngestedEvent>(bytes);
    expect(decoded.value).toEqual(event);
    expect(decoded.schemaId).toBe(bytes.readUInt32BE(1));
  });

  it('asks once per schema and shares in-flight lookups', async () => {
    const client = new ConfluentSchemaRegistry({ url });
    const schema = latestSchema(INGESTED).schema;
    const ids = await Promise.all([client.idFor(INGESTED, schema), client.idFor(INGESTED, schema), client.idFor(INGESTED, schema)]);
    await Promise.all([client.schemaById(ids[0]), client.schemaById(ids[0])]);
    await client.idFor(INGESTED, schema);
    expect(stub.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
  });

  it('maps registry answers to coded errors', async () => {
    const client = new ConfluentSchemaRegistry({ url, retries: 0 });
    await expect(client.schemaById(4242)).rejects.toMatchObject({ code: 'AVRO_UNKNOWN_SCHEMA', details: { status: 404, schemaId: 4242 } });
    stub.incompatibleSubjects.add(INGESTED);
    await expect(client.idFor(INGESTED, latestSchema(INGESTED).schema)).rejects.toMatchObject({ code: 'AVRO_INCOMPATIBLE_SCHEMA', details: { status: 409 } });
    stub.failNext = 1;
    await expect(client.schemaById(1)).rejects.toMatchObject({ code: 'AVRO_REGISTRY_ERROR', details: { status: 503 } });
  });

  it('retries a registry that is briefly unavailable', async () => {
    stub.failNext = 2;
    const client = new ConfluentSchemaRegistry({ url, retries: 2, retryDelayMs: 1 });
    await expect(client.idFor(INGESTED, latestSchema(INGESTED).schema)).resolves.toBe(1);
    expect(stub.requests).toHaveLength(3);
  });

  it('reports an unreachable registry as AVRO_REGISTRY_UNAVAILABLE', async () => {
    await stub.stop();
    const client = new ConfluentSchemaRegistry({ url, retries: 1, retryDelayMs: 1 });
    await expect(client.schemaById(1)).rejects.toMatchObject({ code: 'AVRO_REGISTRY_UNAVAILABLE' });
    stub = new ConfluentRegistryStub();
    url = await stub.start();
  });

  it('sends credentials from the URL as Basic auth', async () => {
    const withCredentials = url.replace('http://', 'http://svc%40cdp:s3cret@');
    await new ConfluentSchemaRegistry({ url: withCredentials }).idFor(INGESTED, latestSchema(INGESTED).schema);
    expect(stub.requests[0].authorization).toBe(`Basic ${Buffer.from('svc@cdp:s3cret').toString('base64')}`);
  });
});

describe('createSchemaRegistry', () => {
  it('uses the Confluent registry when a URL is configured, the in-repo one otherwise', () => {
    expect(createSchemaRegistry({ url: 'http://registry:8081' })).toBeInstanceOf(ConfluentSchemaRegistry);
    expect(createSchemaRegistry({})).toBeInstanceOf(InRepoSchemaRegistry);
    expect(createSchemaRegistry()).toBeInstanceOf(InRepoSchemaRegistry);
  });
});
