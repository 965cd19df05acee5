import type { ExplicitEndpoints, InfraEndpoints, InfraProvider } from './infra-provider';
import { resolveInfra, type ResolveInfraDeps } from './resolve-infra';

class RecordingProvider implements InfraProvider {
  readonly calls: ExplicitEndpoints[] = [];
  constructor(
    readonly name: InfraProvider['name'],
    private readonly endpoints: InfraEndpoints,
  ) {}
  async provide(explicit: ExplicitEndpoints): Promise<InfraEndpoints> {
    this.calls.push(explicit);
    return { ...this.endpoints, ...explicit };
  }
}

function world(docker: { hinted: boolean; answers: boolean }) {
  const local = new RecordingProvider('local', { kafkaBrokers: ['127.0.0.1:9092'], adminDatabaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres' });
  const containers = new RecordingProvider('testcontainers', {
    kafkaBrokers: ['localhost:32768'],
    adminDatabaseUrl: 'postgres://postgres:postgres@localhost:32769/postgres',
    clickhouseUrl: 'http://localhost:32770',
  });
  let dockerAsked = 0;
  const deps: ResolveInfraDeps = {
    local: () => local,
    testcontainers: () => containers,
    dockerHinted: () => docker.hinted,
    dockerAnswers: async () => {
      dockerAsked++;
      return docker.answers;
    },
    log: () => undefined,
  };
  return { local, containers, deps, dockerAsked: () => dockerAsked };
}

describe('resolveInfra', () => {
  it('uses local processes on a machine without Docker, without asking testcontainers', async () => {
    const w = world({ hinted: false, answers: false });
    const resolved = await resolveInfra({}, w.deps);
    expect(resolved.provider).toBe('local');
    expect(resolved.endpoints.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(w.dockerAsked()).toBe(0);
  });

  it('uses Testcontainers where a Docker engine answers', async () => {
    const w = world({ hinted: true, answers: true });
    const resolved = await resolveInfra({}, w.deps);
    expect(resolved.provider).toBe('testcontainers');
    expect(resolved.endpoints.clickhouseUrl).toBe('http://localhost:32770');
  });

  it('falls back to local processes when a socket exists but no engine answers', async () => {
    const w = world({ hinted: true, answers: false });
    expect((await resolveInfra({}, w.deps)).provider).toBe('local');
  });

  it('starts nothing when Kafka and Postgres are given explicitly', async () => {
    const w = world({ hinted: true, answers: true });
    const resolved = await resolveInfra({ KAFKA_BROKERS: 'kafka:9092', DATABASE_URL: 'postgres://ci@db/postgres' }, w.deps);
    expect(resolved).toEqual({ provider: 'explicit', endpoints: { kafkaBrokers: ['kafka:9092'], adminDatabaseUrl: 'postgres://ci@db/postgres' } });
    expect(w.local.calls).toHaveLength(0);
    expect(w.containers.calls).toHaveLength(0);
  });

  it('hands partial explicit endpoints to the provider, which keeps them', async () => {
    const w = world({ hinted: true, answers: true });
    const resolved = await resolveInfra({ DATABASE_URL: 'postgres://ci@db/postgres', CLICKHOUSE_URL: 'http://ch:8123' }, w.deps);
    expect(w.containers.calls).toEqual([{ adminDatabaseUrl: 'postgres://ci@db/postgres', clickhouseUrl: 'http://ch:8123' }]);
    expect(resolved.endpoints.adminDatabaseUrl).toBe('postgres://ci@db/postgres');
    expect(resolved.endpoints.clickhouseUrl).toBe('http://ch:8123');
  });

  it('honours CDP_TEST_INFRA=local even where Docker answers', async () => {
    const w = world({ hinted: true, answers: true });
    expect((await resolveInfra({ CDP_TEST_INFRA: 'local' }, w.deps)).provider).toBe('local');
  });

  it('fails clearly when Testcontainers is forced without an engine', async () => {
    const w = world({ hinted: false, answers: false });
    await expect(resolveInfra({ CDP_TEST_INFRA: 'testcontainers' }, w.deps)).rejects.toThrow(/no Docker engine answers/);
  });

  it('rejects an unknown CDP_TEST_INFRA value', async () => {
    const w = world({ hinted: false, answers: false });
    await expect(resolveInfra({ CDP_TEST_INFRA: 'docker' }, w.deps)).rejects.toThrow(/local, testcontainers or auto/);
  });
});
