import { join } from 'node:path';
import type { Logger } from 'pino';
import { createClickHouse, runClickHouseMigrations } from '@cdp/clickhouse';
import type { AnalyticsConfig } from '../config';

/** `services/analytics/migrations`, from src/ and from the built dist/ alike. */
export const CLICKHOUSE_MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

/**
 * Applies analytics' ClickHouse migrations. Runs in the `migrate` command, before the service
 * starts: the embedded data directory can be open in one process only.
 */
export async function migrateClickHouse(config: AnalyticsConfig, logger: Logger): Promise<void> {
  const clickhouse = await createClickHouse(config.clickhouse, { application: `${config.name}-migrate` });
  try {
    const log = logger.child({ component: 'clickhouse' });
    const outcome = await runClickHouseMigrations(clickhouse, CLICKHOUSE_MIGRATIONS_DIR, (message) => log.info(message));
    if (outcome.unknown.length > 0) {
      log.warn({ versions: outcome.unknown }, 'ClickHouse has migrations applied that this release does not know (a newer release ran here)');
    }
    log.info({ applied: outcome.applied, location: clickhouse.location, database: clickhouse.database }, 'ClickHouse migrations up to date');
  } finally {
    await clickhouse.close();
  }
}
