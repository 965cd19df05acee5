// Runs once in jest's parent process before the int and e2e tiers; the variables it sets are
// inherited by every worker, where testInfra() reads them. Relative imports only: jest's
// moduleNameMapper does not apply to global setup modules.
import { LocalProcessProvider } from '../infra/local-process.provider';
import { pruneStaleRuns } from '../infra/prune-stale-runs';
import { dockerSocketHinted, resolveInfra } from '../infra/resolve-infra';
import { INFRA_ENV } from '../infra/test-infra';
import { TestcontainersProvider, dockerEngineAnswers } from '../infra/testcontainers.provider';
import { newRunId } from '../run-id';

export default async function globalSetup(): Promise<void> {
  const log = (message: string): void => void process.stderr.write(`\n[test-infra] ${message}\n`);
  const { provider, endpoints } = await resolveInfra(process.env, {
    local: () => new LocalProcessProvider(),
    testcontainers: () => new TestcontainersProvider(),
    dockerHinted: () => dockerSocketHinted(process.env),
    dockerAnswers: dockerEngineAnswers,
    log,
  });
  const runId = process.env[INFRA_ENV.runId] || newRunId();
  process.env[INFRA_ENV.kafkaBrokers] = endpoints.kafkaBrokers.join(',');
  process.env[INFRA_ENV.adminDatabaseUrl] = endpoints.adminDatabaseUrl;
  if (endpoints.clickhouseUrl) process.env[INFRA_ENV.clickhouseUrl] = endpoints.clickhouseUrl;
  process.env[INFRA_ENV.runId] = runId;
  // Housekeeping must never cost a test run: a failure here is reported and the run goes on.
  await pruneStaleRuns(endpoints).then(
    ({ databases, topics, dataDirs }) => {
      const total = databases.length + topics.length + dataDirs.length;
      if (total > 0) log(`removed leftovers of old runs: ${databases.length} databases, ${topics.length} topics, ${dataDirs.length} data dirs`);
    },
    (error: unknown) => log(`could not remove leftovers of old runs: ${error instanceof Error ? error.message : String(error)}`),
  );
  log(
    `${provider}: kafka ${endpoints.kafkaBrokers.join(',')} | postgres ${redactPassword(endpoints.adminDatabaseUrl)} | ` +
      `clickhouse ${endpoints.clickhouseUrl ?? 'embedded (chdb)'} | run ${runId}`,
  );
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL (e.g. a libpq keyword string): nothing to redact reliably, so show nothing of it.
    return '<unparsable DATABASE_URL>';
  }
}
