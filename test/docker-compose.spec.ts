import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// docker-compose.yml cannot be run here (no Docker engine), so this test guards what can drift:
// every service of infra/services.json must be in it, on its port, built from the Dockerfile.
const root = join(__dirname, '..');

interface ComposeService {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  ports?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const manifest = JSON.parse(readFileSync(join(root, 'infra/services.json'), 'utf8')) as {
  services: { name: string; port: number }[];
};
const INFRASTRUCTURE = ['kafka', 'postgres', 'clickhouse'];

describe('docker-compose.yml', () => {
  it('defines Kafka, Postgres and ClickHouse from pinned official images', () => {
    const images = INFRASTRUCTURE.map((name) => compose.services[name]?.image);
    expect(images).toEqual([expect.stringMatching(/^apache\/kafka:3\.9\./), expect.stringMatching(/^postgres:16/), expect.stringMatching(/^clickhouse\/clickhouse-server:\d+\.\d+/)]);
    for (const name of INFRASTRUCTURE) expect(compose.services[name].healthcheck).toBeDefined();
  });

  it('runs Kafka as a single KRaft node whose internal topics need one replica', () => {
    const env = compose.services.kafka.environment!;
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(String(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR)).toBe('1');
    expect(String(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR)).toBe('1');
    expect(String(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR)).toBe('1');
    expect(String(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE)).toBe('false');
  });

  it('defines exactly the services of infra/services.json besides the infrastructure', () => {
    const defined = Object.keys(compose.services).filter((name) => !INFRASTRUCTURE.includes(name)).sort();
    expect(defined).toEqual(manifest.services.map((s) => s.name).sort());
  });

  it.each(manifest.services.map((s) => [s.name, s.port] as const))('serves %s on port %i, built from the Dockerfile, wired to the infrastructure', (name, port) => {
    const service = compose.services[name];
    expect(service.build?.args?.SERVICE).toBe(name);
    expect(service.ports).toContain(`${port}:${port}`);
    expect(String(service.environment?.PORT)).toBe(String(port));
    expect(service.environment).toMatchObject({ HOST: '0.0.0.0', KAFKA_BROKERS: 'kafka:9092', DATABASE_URL: expect.stringContaining('@postgres:5432/') });
    expect(Object.keys(service.depends_on ?? {})).toEqual(expect.arrayContaining(['kafka', 'postgres']));
  });

  it('asks for the secrets production needs instead of starting services that would refuse to run', () => {
    for (const { name } of manifest.services) {
      const env = compose.services[name].environment ?? {};
      for (const variable of ['CDP_MASTER_KEYS', 'CDP_BLIND_INDEX_KEY', 'CDP_BOOTSTRAP_ADMIN_TOKEN']) {
        expect({ name, variable, value: String(env[variable]) }).toEqual({ name, variable, value: expect.stringMatching(new RegExp(`^\\$\\{${variable}:\\?`)) });
      }
    }
  });

  it('points analytics at the ClickHouse server', () => {
    expect(compose.services.analytics.environment?.CLICKHOUSE_URL).toBe('http://clickhouse:8123');
    expect(Object.keys(compose.services.analytics.depends_on ?? {})).toContain('clickhouse');
  });
});

describe('Dockerfile', () => {
  it('copies every workspace manifest before npm ci, so the install layer matches the lockfile', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const workspaces = ['contracts', ...['packages', 'services'].flatMap((dir) => readdirSync(join(root, dir)).map((name) => `${dir}/${name}`))].filter(
      (dir) => existsSync(join(root, dir, 'package.json')),
    );
    const missing = workspaces.filter((dir) => !dockerfile.includes(`COPY ${dir}/package.json ${dir}/`));
    expect(missing).toEqual([]);
  });
});
