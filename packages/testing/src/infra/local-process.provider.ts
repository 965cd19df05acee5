import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../fs/repo-root';
import { TestingError } from '../testing.error';
import { parseBrokers } from './test-infra';
import type { ExplicitEndpoints, InfraEndpoints, InfraProvider } from './infra-provider';

/** First start may fetch the Kafka jars from Maven Central; later starts take a second or two. */
const INFRA_UP_TIMEOUT_MS = 15 * 60_000;

export function parseEnvLines(output: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) vars[match[1]] = match[2];
  }
  return vars;
}

/**
 * Local processes: scripts/infra-up.sh starts (or reuses) the Kafka broker and the Postgres server
 * and prints the endpoints; the script already honours explicit variables, which it inherits.
 */
export class LocalProcessProvider implements InfraProvider {
  readonly name = 'local' as const;

  async provide(explicit: ExplicitEndpoints): Promise<InfraEndpoints> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (explicit.kafkaBrokers) env.KAFKA_BROKERS = explicit.kafkaBrokers.join(',');
    if (explicit.adminDatabaseUrl) env.DATABASE_URL = explicit.adminDatabaseUrl;
    if (explicit.clickhouseUrl) env.CLICKHOUSE_URL = explicit.clickhouseUrl;
    const vars = parseEnvLines(await runInfraUp(env));
    const kafkaBrokers = explicit.kafkaBrokers ?? parseBrokers(vars.KAFKA_BROKERS ?? '');
    const adminDatabaseUrl = explicit.adminDatabaseUrl ?? vars.ADMIN_DATABASE_URL ?? '';
    if (kafkaBrokers.length === 0 || adminDatabaseUrl === '') {
      throw new TestingError('INFRA_UNAVAILABLE', 'scripts/infra-up.sh --env did not print KAFKA_BROKERS and ADMIN_DATABASE_URL');
    }
    const clickhouseUrl = explicit.clickhouseUrl ?? vars.CLICKHOUSE_URL;
    return { kafkaBrokers, adminDatabaseUrl, ...(clickhouseUrl ? { clickhouseUrl } : {}) };
  }
}

function runInfraUp(env: NodeJS.ProcessEnv): Promise<string> {
  const root = repoRoot();
  return new Promise((resolve, reject) => {
    // stderr carries the script's progress and diagnostics: let the developer see it live.
    const child = spawn('bash', [join(root, 'scripts', 'infra-up.sh'), '--env'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: INFRA_UP_TIMEOUT_MS,
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', (error) => reject(new TestingError('INFRA_UNAVAILABLE', `cannot run scripts/infra-up.sh: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new TestingError('INFRA_UNAVAILABLE', `scripts/infra-up.sh failed (${signal ?? `exit ${code}`}); its output is above`));
    });
  });
}
