import { defineConfig, type ConfigSchema, type EnvShape, type EnvValues } from './define-config';
import { env, isHost } from './env-variable';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/cdp';
export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';

const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
// Kafka's own rule for topic names; the prefix is prepended to every topic a service touches.
const TOPIC_PREFIX = /^[A-Za-z0-9._-]{0,200}$/;

/** What every service reads from the environment. */
export interface ServiceConfig {
  /** The service's name; also its default Kafka client id. */
  name: string;
  nodeEnv: NodeEnv;
  logLevel: LogLevel;
  http: { host: string; port: number };
  database: {
    url: string;
    /** The Postgres schema the service owns; it never reads another service's. */
    schema: string;
    poolSize: number;
  };
  kafka: {
    brokers: string[];
    clientId: string;
    /** Prepended to every topic name, so test runs and tenants can share a cluster. */
    topicPrefix: string;
    /** A Confluent-compatible registry; without one the in-repo registry built from contracts/ is used. */
    schemaRegistryUrl: string | undefined;
  };
}

export interface ServiceDefaults {
  name: string;
  /** Default HTTP port (infra/services.json). */
  port: number;
  /** Postgres schema owned by the service (infra/services.json). */
  schema: string;
}

export function commonEnv(defaults: ServiceDefaults) {
  return {
    NODE_ENV: env.oneOf(NODE_ENVS).default('development'),
    LOG_LEVEL: env.oneOf(LOG_LEVELS).default('info'),
    HOST: env
      .string({ pattern: isHost, description: 'expected a host name or IP address' })
      .default('127.0.0.1'),
    PORT: env.port().default(String(defaults.port)),
    DATABASE_URL: env.url(['postgres:', 'postgresql:']).default(DEFAULT_DATABASE_URL),
    DATABASE_SCHEMA: env
      .string({ pattern: SQL_IDENTIFIER, description: 'expected a lower-case SQL identifier' })
      .default(defaults.schema),
    DATABASE_POOL_SIZE: env.int({ min: 1, max: 200 }).default('10'),
    KAFKA_BROKERS: env.hostPortList().default(DEFAULT_KAFKA_BROKERS),
    KAFKA_TOPIC_PREFIX: env
      .string({ pattern: TOPIC_PREFIX, description: 'expected letters, digits, ".", "_" or "-"' })
      .default(''),
    KAFKA_CLIENT_ID: env
      .string({ pattern: /^[A-Za-z0-9._-]{1,200}$/, description: 'expected letters, digits, ".", "_" or "-"' })
      .default(defaults.name),
    SCHEMA_REGISTRY_URL: env.url().optional(),
  };
}

type CommonEnv = ReturnType<typeof commonEnv>;

function serviceConfigFrom(name: string, values: EnvValues<CommonEnv>): ServiceConfig {
  return {
    name,
    nodeEnv: values.NODE_ENV,
    logLevel: values.LOG_LEVEL,
    http: { host: values.HOST, port: values.PORT },
    database: { url: values.DATABASE_URL, schema: values.DATABASE_SCHEMA, poolSize: values.DATABASE_POOL_SIZE },
    kafka: {
      brokers: values.KAFKA_BROKERS,
      clientId: values.KAFKA_CLIENT_ID,
      topicPrefix: values.KAFKA_TOPIC_PREFIX,
      schemaRegistryUrl: values.SCHEMA_REGISTRY_URL,
    },
  };
}

/**
 * The configuration of one service: the common variables (with the service's own default port
 * and schema) plus, optionally, variables of its own mapped onto extra fields.
 */
export function serviceConfig(defaults: ServiceDefaults): ConfigSchema<ServiceConfig>;
export function serviceConfig<S extends EnvShape, X extends object>(
  defaults: ServiceDefaults,
  extra: { env: S; build: (values: EnvValues<S>) => X },
): ConfigSchema<ServiceConfig & X>;
export function serviceConfig<S extends EnvShape, X extends object>(
  defaults: ServiceDefaults,
  extra?: { env: S; build: (values: EnvValues<S>) => X },
): ConfigSchema<ServiceConfig | (ServiceConfig & X)> {
  const common = commonEnv(defaults);
  if (!extra) return defineConfig(common, (values) => serviceConfigFrom(defaults.name, values));
  return defineConfig({ ...common, ...extra.env }, (values) => ({
    ...serviceConfigFrom(defaults.name, values as EnvValues<CommonEnv>),
    ...extra.build(values as EnvValues<S>),
  }));
}
