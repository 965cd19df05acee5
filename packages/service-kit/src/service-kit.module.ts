import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import type { Registry } from 'prom-client';
import type { ServiceConfig } from '@cdp/config';
import { dataSourceOptions, type DatabaseDefinition } from './database/data-source-options';
import { HealthController } from './health/health.controller';
import { KafkaHealthIndicator } from './health/kafka.health-indicator';
import { ReadinessChecks } from './health/readiness-checks';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { ServiceInfoController } from './http/service-info.controller';
import { httpLoggingOptions } from './logging/http-logging';
import { MetricsController } from './metrics/metrics.controller';
import { METRICS_REGISTRY } from './metrics/metrics-registry';
import { SERVICE_CONFIG, SERVICE_INFO, type ServiceInfo } from './service-tokens';

export interface ServiceKitOptions {
  info: ServiceInfo;
  config: ServiceConfig;
  database: DatabaseDefinition;
  logger: PinoLogger;
  registry: Registry;
}

/**
 * What every service has: structured logs, problem+json errors, its Postgres DataSource, health
 * and metrics endpoints, `GET /`. Global, so a service's modules can inject SERVICE_CONFIG,
 * METRICS_REGISTRY, ReadinessChecks and the DataSource without importing anything.
 */
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    return {
      module: ServiceKitModule,
      global: true,
      imports: [
        LoggerModule.forRoot({ pinoHttp: httpLoggingOptions(options.logger) }),
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(options.config, options.database, options.logger),
          // A service that cannot reach its database at start-up fails (and is restarted by its
          // supervisor) after ~10 s rather than serving without it.
          retryAttempts: 5,
          retryDelay: 2_000,
        }),
      ],
      controllers: [ServiceInfoController, HealthController, MetricsController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: options.config },
        { provide: SERVICE_INFO, useValue: options.info },
        { provide: METRICS_REGISTRY, useValue: options.registry },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        ReadinessChecks,
        KafkaHealthIndicator,
      ],
      exports: [SERVICE_CONFIG, SERVICE_INFO, METRICS_REGISTRY, ReadinessChecks],
    };
  }
}
