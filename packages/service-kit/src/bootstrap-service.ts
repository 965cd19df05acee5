import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { ServiceConfig } from '@cdp/config';
import { createBatchTransport, findBatchHandlers } from './kafka/batch-transport';
import { createRootLogger } from './logging/root-logger';
import { createMetricsRegistry, httpDurationHistogram } from './metrics/metrics-registry';
import { httpMetricsMiddleware } from './metrics/http-metrics.middleware';
import type { ServiceDefinition } from './service-definition';
import { ServiceKitModule } from './service-kit.module';

export interface BootstrapOptions<C extends ServiceConfig> extends ServiceDefinition<C> {
  config: C;
  /** The process's root logger; one is created from the config when absent. */
  logger?: Logger;
}

export interface RunningService {
  app: INestApplication;
  /** Base URL the service answers on, e.g. http://127.0.0.1:4001 */
  url: string;
  port: number;
  /** Consumers of the Kafka batch transport, when the service declares batch handlers. */
  batchHandlers: string[];
  close(): Promise<void>;
}

@Module({})
class ServiceHostModule {}

/**
 * Starts a service: Nest HTTP app (express) with the service kit, the Kafka batch transport when
 * the service declares batch handlers, listening on HOST:PORT.
 */
export async function bootstrapService<C extends ServiceConfig>(options: BootstrapOptions<C>): Promise<RunningService> {
  const { config } = options;
  const logger = options.logger ?? createRootLogger({ service: options.name, version: options.version, level: config.logLevel });
  const registry = createMetricsRegistry(options.name);
  const app = await NestFactory.create<NestExpressApplication>(
    {
      module: ServiceHostModule,
      imports: [
        ServiceKitModule.forRoot({
          info: { name: options.name, version: options.version },
          config,
          database: options.database,
          logger,
          registry,
        }),
        options.module,
      ],
    },
    // Errors while wiring modules are thrown (and reported by the caller) instead of abort()ing.
    { bufferLogs: true, abortOnError: false },
  );
  try {
    app.useLogger(app.get(NestPinoLogger));
    app.disable('x-powered-by');
    app.use(httpMetricsMiddleware(httpDurationHistogram(registry)));
    await options.configureApp?.(app, config);

    const batchHandlers = findBatchHandlers(app);
    if (batchHandlers.length > 0) {
      // Consumers start only once the app's providers are ready, and keep trying in the background
      // while Kafka cannot be reached; the transport is stopped by app.close(). Global enhancers
      // apply to batch handlers as to HTTP handlers.
      app.connectMicroservice(
        { strategy: createBatchTransport(config, app.get(DataSource), logger, registry, options.kafka) },
        { inheritAppConfig: true },
      );
      await app.startAllMicroservices();
      logger.info({ handlers: batchHandlers }, 'Kafka batch consumers starting');
    }

    await app.listen(config.http.port, config.http.host);
    const { port } = app.getHttpServer().address() as AddressInfo;
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
    const url = `http://${host}:${port}`;
    logger.info({ url, port }, `${options.name} ${options.version} listening on ${url}`);
    return { app, url, port, batchHandlers, close: () => app.close() };
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
}
