import type { Logger as PinoLogger } from 'pino';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's log events as pino lines. Queries are not logged (hot paths run thousands per
 * second); failed and slow ones are, with their SQL but never their parameters (they hold PII).
 */
export class TypeOrmPinoLogger implements TypeOrmLogger {
  private readonly logger: PinoLogger;

  constructor(logger: PinoLogger) {
    this.logger = logger.child({ component: 'typeorm' });
  }

  logQuery(): void {}

  logQueryError(error: string | Error, query: string): void {
    this.logger.warn({ err: error, query }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ durationMs: time, query }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    this.logger.info(message);
  }

  logMigration(message: string): void {
    this.logger.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn({ detail: message }, 'typeorm warning');
    else this.logger.debug({ detail: message }, 'typeorm');
  }
}
