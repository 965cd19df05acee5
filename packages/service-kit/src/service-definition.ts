import type { Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';
import type { ServiceConfig } from '@cdp/config';
import type { ConsumerTuning, OutboxTuning } from '@cdp/kafka';
import type { DatabaseDefinition } from './database/data-source-options';

/** What a service is made of; main.ts hands it to `runService`. */
export interface ServiceDefinition<C extends ServiceConfig = ServiceConfig> {
  name: string;
  version: string;
  /** The service's root module: its controllers, Kafka batch consumers and providers. */
  module: Type<unknown>;
  /** TypeORM entities and migrations of the service's Postgres schema. */
  database: DatabaseDefinition;
  /**
   * Further migration work for stores other than Postgres (analytics: ClickHouse). Runs in the
   * `migrate` command after the Postgres migrations, under the same lock.
   */
  migrate?: (config: C, logger: Logger) => Promise<void>;
  /** Tuning of the service's Kafka batch consumers and outbox relay (the runtime's defaults otherwise). */
  kafka?: { consumer?: ConsumerTuning; outbox?: OutboxTuning };
  /**
   * Last touches to the HTTP application the kit created (its middleware and settings are in place,
   * its routes not yet registered), before its consumers start and it listens: mount documentation
   * pages, set express options. Runs once per start.
   */
  configureApp?: (app: NestExpressApplication, config: C) => void | Promise<void>;
}
