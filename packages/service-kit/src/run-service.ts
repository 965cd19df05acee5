import type { Logger } from 'pino';
import type { ServiceConfig } from '@cdp/config';
import { bootstrapService, type RunningService } from './bootstrap-service';
import { migrateDatabase, type MigrationReport } from './database/migrate';
import { createRootLogger } from './logging/root-logger';
import type { ServiceDefinition } from './service-definition';

/** Applies the service's pending migrations: Postgres, then its other stores (`definition.migrate`). */
export async function migrateService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  logger: Logger,
): Promise<MigrationReport> {
  return migrateDatabase(config, definition.database, logger, definition.migrate && (() => definition.migrate!(config, logger)));
}

/** Force the exit of a process whose shutdown hangs (a stuck connection must not block a redeploy). */
const SHUTDOWN_GRACE_MS = 20_000;

/**
 * SIGTERM/SIGINT close the service (HTTP server first, then consumers and connections) and let
 * the process end by itself, so that buffered log lines reach their destination; Nest's own
 * shutdown hooks re-raise the signal and lose them.
 */
function stopOnSignal(service: RunningService, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: closing the HTTP server, consumers and connections');
    setTimeout(() => {
      logger.error({ graceMs: SHUTDOWN_GRACE_MS }, 'shutdown did not finish in time; exiting');
      logger.flush();
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    service.close().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exitCode = 0;
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush();
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

const USAGE = 'usage: node main.js [serve | migrate]';

/**
 * The command line of a service process:
 * - `serve` (default): start the service; SIGTERM/SIGINT close it gracefully.
 * - `migrate`: apply pending migrations and exit 0 (1 on failure).
 * A configuration error exits 1 with one line naming every bad variable.
 */
export async function runService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  loadServiceConfig: () => C,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  let config: C;
  try {
    config = loadServiceConfig();
  } catch (error) {
    process.stderr.write(`${definition.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
    return;
  }
  const logger = createRootLogger({ service: definition.name, version: definition.version, level: config.logLevel });
  const command = argv[0] ?? 'serve';

  if (command === 'migrate') {
    try {
      const { applied } = await migrateService(definition, config, logger);
      logger.info({ applied }, applied.length > 0 ? `applied ${applied.length} migration(s)` : 'migrations up to date');
      process.exitCode = 0;
    } catch (error) {
      logger.error({ err: error }, 'migrations failed');
      process.exitCode = 1;
    }
    logger.flush();
    return;
  }

  if (command === 'serve') {
    try {
      const service = await bootstrapService({ ...definition, config, logger });
      stopOnSignal(service, logger);
    } catch (error) {
      logger.fatal({ err: error }, `${definition.name} failed to start`);
      logger.flush();
      process.exitCode = 1;
      // Whatever half-started (pools, timers) must not keep a failed process alive.
      setTimeout(() => process.exit(1), 1_000).unref();
    }
    return;
  }

  process.stderr.write(`${definition.name}: unknown command "${command}"; ${USAGE}\n`);
  process.exitCode = 2;
}
