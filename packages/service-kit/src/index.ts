export { bootstrapService } from './bootstrap-service';
export type { BootstrapOptions, RunningService } from './bootstrap-service';
export { runService, migrateService } from './run-service';
export type { ServiceDefinition } from './service-definition';
export { ServiceKitModule } from './service-kit.module';
export type { ServiceKitOptions } from './service-kit.module';
export { SERVICE_CONFIG, SERVICE_INFO } from './service-tokens';
export type { ServiceInfo } from './service-tokens';

export { migrateDatabase } from './database/migrate';
export type { MigrationReport } from './database/migrate';
export { dataSourceOptions, MIGRATIONS_TABLE } from './database/data-source-options';
export type { DatabaseDefinition, EntityList, MigrationList } from './database/data-source-options';
export { typeormTransactionRunner } from './database/typeorm-transaction-runner';

export { ReadinessChecks } from './health/readiness-checks';
export type { ReadinessCheck } from './health/readiness-checks';

export { ServiceError } from './http/service.error';
export { ProblemDetailsFilter, toProblem } from './http/problem-details.filter';
export { PROBLEM_CONTENT_TYPE } from './http/problem-details';
export type { ProblemDetails } from './http/problem-details';

export { METRICS_REGISTRY, HTTP_DURATION_METRIC, createMetricsRegistry } from './metrics/metrics-registry';
export { createRootLogger } from './logging/root-logger';
export { REQUEST_ID_HEADER } from './logging/http-logging';
export { findBatchHandlers } from './kafka/batch-transport';
