/** One figure in bench/results/latest.json. */
export interface BenchResult {
  suite: string;
  metric: string;
  value: number;
  unit: string;
  higherIsBetter: boolean;
  /** Machine, sample sizes, batch sizes, repetitions and the raw samples behind `value`. */
  details: Record<string, unknown>;
}

export interface BenchContext {
  kafkaBrokers: string[];
  /** Admin connection (may CREATE DATABASE); suites get their own database through benchDatabaseUrl. */
  adminDatabaseUrl: string;
  /** The `cdp_bench` database, created when missing. Suites reset the schemas they own. */
  benchDatabaseUrl: string;
  /** ../shared/datasets from the repository root. */
  datasetsDir: string;
  repetitions: number;
  machine: Record<string, unknown>;
  log(message: string): void;
}

export interface BenchSuite {
  run(ctx: BenchContext): Promise<BenchResult[]>;
}
