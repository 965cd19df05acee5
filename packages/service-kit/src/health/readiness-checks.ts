import { Injectable } from '@nestjs/common';

/** A dependency the service cannot serve without (e.g. ClickHouse for analytics). */
export interface ReadinessCheck {
  /** Key of the check in the health report. */
  name: string;
  /** Resolves (optionally with details to report) when the dependency is usable; throws otherwise. */
  check(): Promise<Record<string, unknown> | void>;
}

/**
 * Readiness checks beyond Postgres and Kafka, registered by the modules that own the dependency
 * (typically in `onModuleInit`), so the health endpoint needs no knowledge of them.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(check: ReadinessCheck): void {
    if (['database', 'kafka'].includes(check.name) || this.checks.has(check.name)) {
      throw new Error(`A readiness check named "${check.name}" is already registered`);
    }
    this.checks.set(check.name, check);
  }

  list(): ReadinessCheck[] {
    return [...this.checks.values()];
  }
}
