import { clickhouseConfigFrom, clickhouseEnv, loadConfig, serviceConfig } from './index';

describe('serviceConfig', () => {
  const identity = serviceConfig({ name: 'identity', port: 4002, schema: 'identity' });

  it('runs against the local infrastructure with nothing set', () => {
    expect(loadConfig(identity, {})).toEqual({
      name: 'identity',
      nodeEnv: 'development',
      logLevel: 'info',
      http: { host: '127.0.0.1', port: 4002 },
      database: { url: 'postgres://postgres@127.0.0.1:5432/cdp', schema: 'identity', poolSize: 10 },
      kafka: { brokers: ['127.0.0.1:9092'], clientId: 'identity', topicPrefix: '', schemaRegistryUrl: undefined },
    });
  });

  it('takes every setting from the environment', () => {
    const config = loadConfig(identity, {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '0.0.0.0',
      PORT: '14002',
      DATABASE_URL: 'postgresql://app:pw@db.internal:5432/cdp',
      DATABASE_SCHEMA: 'identity_blue',
      DATABASE_POOL_SIZE: '20',
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      KAFKA_TOPIC_PREFIX: 'staging.',
      KAFKA_CLIENT_ID: 'identity-7',
      SCHEMA_REGISTRY_URL: 'http://registry:8081',
    });
    expect(config).toEqual({
      name: 'identity',
      nodeEnv: 'production',
      logLevel: 'warn',
      http: { host: '0.0.0.0', port: 14002 },
      database: { url: 'postgresql://app:pw@db.internal:5432/cdp', schema: 'identity_blue', poolSize: 20 },
      kafka: {
        brokers: ['k1:9092', 'k2:9092'],
        clientId: 'identity-7',
        topicPrefix: 'staging.',
        schemaRegistryUrl: 'http://registry:8081',
      },
    });
  });

  it('fails fast naming a malformed broker list', () => {
    expect(() => loadConfig(identity, { KAFKA_BROKERS: 'x' })).toThrow(
      'Invalid configuration: KAFKA_BROKERS: expected comma-separated host:port list, got "x"',
    );
  });

  it('rejects values that would break SQL or topic names', () => {
    expect(() => loadConfig(identity, { DATABASE_SCHEMA: 'identity"; drop', KAFKA_TOPIC_PREFIX: 'a b', LOG_LEVEL: 'loud' })).toThrow(
      'Invalid configuration: DATABASE_SCHEMA: expected a lower-case SQL identifier, got "identity\\"; drop"; ' +
        'KAFKA_TOPIC_PREFIX: expected letters, digits, ".", "_" or "-", got "a b"; ' +
        'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
  });

  it('extends the common settings with a service\'s own', () => {
    const analytics = serviceConfig(
      { name: 'analytics', port: 4006, schema: 'analytics' },
      { env: clickhouseEnv, build: (v) => ({ clickhouse: clickhouseConfigFrom(v) }) },
    );
    expect(loadConfig(analytics, {})).toMatchObject({
      name: 'analytics',
      http: { port: 4006 },
      clickhouse: { url: undefined, dataDir: '.data/clickhouse', database: 'cdp' },
    });
    expect(loadConfig(analytics, { CLICKHOUSE_URL: 'http://default:pw@ch:8123', CLICKHOUSE_DATABASE: 'cdp_eu' }).clickhouse).toEqual({
      url: 'http://default:pw@ch:8123',
      dataDir: '.data/clickhouse',
      database: 'cdp_eu',
    });
    expect(() => loadConfig(analytics, { CLICKHOUSE_URL: 'tcp://ch:9000' })).toThrow(
      'CLICKHOUSE_URL: expected a http:// or https:// URL, got "tcp://ch:9000"',
    );
  });
});
