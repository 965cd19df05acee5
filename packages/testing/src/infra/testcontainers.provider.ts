import type { ExplicitEndpoints, InfraEndpoints, InfraProvider } from './infra-provider';

/** Confluent Platform 7.9 ships Apache Kafka 3.9, the version the local broker runs. */
export const KAFKA_IMAGE = 'confluentinc/cp-kafka:7.9.0';
export const POSTGRES_IMAGE = 'postgres:16-alpine';
export const CLICKHOUSE_IMAGE = 'clickhouse/clickhouse-server:25.8';

const KAFKA_CLIENT_PORT = 9093;
const CLICKHOUSE_HTTP_PORT = 8123;

/**
 * Containers on hosts where a Docker engine answers. testcontainers is imported only here and
 * lazily, so machines without Docker never load it. Containers live as long as the jest process:
 * testcontainers' reaper removes them when it exits.
 */
export class TestcontainersProvider implements InfraProvider {
  readonly name = 'testcontainers' as const;

  async provide(explicit: ExplicitEndpoints): Promise<InfraEndpoints> {
    const [kafkaBrokers, adminDatabaseUrl, clickhouseUrl] = await Promise.all([
      explicit.kafkaBrokers ?? startKafka(),
      explicit.adminDatabaseUrl ?? startPostgres(),
      explicit.clickhouseUrl ?? startClickHouse(),
    ]);
    return { kafkaBrokers, adminDatabaseUrl, clickhouseUrl };
  }
}

async function startKafka(): Promise<string[]> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const kafka = await new KafkaContainer(KAFKA_IMAGE)
    .withKraft()
    .withEnvironment({
      // Same rules as the local broker: code creates its topics, single-replica internal topics.
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    })
    .start();
  return [`${kafka.getHost()}:${kafka.getMappedPort(KAFKA_CLIENT_PORT)}`];
}

async function startPostgres(): Promise<string> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const pg = await new PostgreSqlContainer(POSTGRES_IMAGE).withUsername('postgres').withPassword('postgres').start();
  const url = new URL(pg.getConnectionUri());
  url.pathname = '/postgres';
  return url.toString();
}

async function startClickHouse(): Promise<string> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const clickhouse = await new GenericContainer(CLICKHOUSE_IMAGE)
    // Keeps the stock passwordless `default` user reachable over the network.
    .withEnvironment({ CLICKHOUSE_SKIP_USER_SETUP: '1' })
    .withExposedPorts(CLICKHOUSE_HTTP_PORT)
    .withWaitStrategy(Wait.forHttp('/ping', CLICKHOUSE_HTTP_PORT).forStatusCode(200))
    .start();
  return `http://${clickhouse.getHost()}:${clickhouse.getMappedPort(CLICKHOUSE_HTTP_PORT)}`;
}

/** testcontainers' own runtime strategies decide whether an engine really answers. */
export async function dockerEngineAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    // No engine is the normal case on machines without Docker: the local provider takes over.
    return false;
  }
}
