/** What a provider hands back: every endpoint the tests need, explicit ones passed through untouched. */
export interface InfraEndpoints {
  kafkaBrokers: string[];
  adminDatabaseUrl: string;
  clickhouseUrl?: string;
}

/** Endpoints the caller fixed through the environment; a provider must not replace them. */
export type ExplicitEndpoints = Partial<InfraEndpoints>;

/**
 * Starts (or finds) Kafka, Postgres and optionally a ClickHouse server for a test run. Providers
 * fill in only what `explicit` leaves open, so `KAFKA_BROKERS`, `DATABASE_URL` and `CLICKHOUSE_URL`
 * always win.
 */
export interface InfraProvider {
  readonly name: 'local' | 'testcontainers';
  provide(explicit: ExplicitEndpoints): Promise<InfraEndpoints>;
}
