import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TestingError } from '../testing.error';
import type { ExplicitEndpoints, InfraEndpoints, InfraProvider } from './infra-provider';
import { INFRA_ENV, parseBrokers } from './test-infra';

/** `CDP_TEST_INFRA=local|testcontainers` forces a provider; unset (or `auto`) detects one. */
export const INFRA_MODE_ENV = 'CDP_TEST_INFRA';

export interface ResolvedInfra {
  provider: 'explicit' | InfraProvider['name'];
  endpoints: InfraEndpoints;
}

export interface ResolveInfraDeps {
  local(): InfraProvider;
  testcontainers(): InfraProvider;
  /** Cheap: is there any sign of a Docker engine (socket file, DOCKER_HOST...)? */
  dockerHinted(): boolean;
  /** Expensive: does an engine really answer? Only asked when hinted. */
  dockerAnswers(): Promise<boolean>;
  log(message: string): void;
}

export function explicitEndpoints(env: NodeJS.ProcessEnv): ExplicitEndpoints {
  const brokers = parseBrokers(env[INFRA_ENV.kafkaBrokers] ?? '');
  return {
    ...(brokers.length > 0 ? { kafkaBrokers: brokers } : {}),
    ...(env[INFRA_ENV.adminDatabaseUrl] ? { adminDatabaseUrl: env[INFRA_ENV.adminDatabaseUrl] } : {}),
    ...(env[INFRA_ENV.clickhouseUrl] ? { clickhouseUrl: env[INFRA_ENV.clickhouseUrl] } : {}),
  };
}

/**
 * Explicit variables win over both providers; with Kafka and Postgres both given nothing is started
 * (ClickHouse then runs embedded unless CLICKHOUSE_URL is given too). Otherwise Testcontainers is
 * used where a Docker engine answers, local processes everywhere else.
 */
export async function resolveInfra(env: NodeJS.ProcessEnv, deps: ResolveInfraDeps): Promise<ResolvedInfra> {
  const explicit = explicitEndpoints(env);
  if (explicit.kafkaBrokers && explicit.adminDatabaseUrl) {
    return { provider: 'explicit', endpoints: explicit as InfraEndpoints };
  }
  const mode = env[INFRA_MODE_ENV] ?? 'auto';
  let provider: InfraProvider;
  switch (mode) {
    case 'local':
      provider = deps.local();
      break;
    case 'testcontainers':
      if (!(await deps.dockerAnswers())) {
        throw new TestingError('INFRA_UNAVAILABLE', `${INFRA_MODE_ENV}=testcontainers but no Docker engine answers`);
      }
      provider = deps.testcontainers();
      break;
    case 'auto':
    case '':
      if (deps.dockerHinted() && (await deps.dockerAnswers())) provider = deps.testcontainers();
      else provider = deps.local();
      break;
    default:
      throw new TestingError('INFRA_UNAVAILABLE', `${INFRA_MODE_ENV} must be local, testcontainers or auto, not "${mode}"`);
  }
  deps.log(`test infrastructure: ${provider.name} provider`);
  return { provider: provider.name, endpoints: await provider.provide(explicit) };
}

/** Places Docker engines usually listen on; a hit only means "worth asking testcontainers". */
export function dockerSocketHinted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.DOCKER_HOST || env.TESTCONTAINERS_HOST_OVERRIDE || env.TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE) return true;
  const home = homedir();
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const candidates = [
    '/var/run/docker.sock',
    join(home, '.testcontainers.properties'),
    join(home, '.docker', 'run', 'docker.sock'),
    join(home, '.docker', 'desktop', 'docker.sock'),
    join(home, '.colima', 'default', 'docker.sock'),
    join(home, '.rd', 'docker.sock'),
    ...(env.XDG_RUNTIME_DIR ? [join(env.XDG_RUNTIME_DIR, 'docker.sock'), join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock')] : []),
    ...(uid !== undefined ? [`/run/user/${uid}/docker.sock`, `/run/user/${uid}/podman/podman.sock`] : []),
  ];
  return candidates.some((path) => existsSync(path));
}
