import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { TRANSPORT_METADATA } from '@nestjs/microservices/constants';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { AvroSerde, createSchemaRegistry } from '@cdp/avro';
import type { ServiceConfig } from '@cdp/config';
import { type ConsumerTuning, KAFKA_BATCH_TRANSPORT, KafkaBatchTransport, type OutboxTuning } from '@cdp/kafka';
import { typeormTransactionRunner } from '../database/typeorm-transaction-runner';

/** `Controller.method` of every @BatchHandler the application declares. */
export function findBatchHandlers(app: INestApplication): string[] {
  const found: string[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const prototype = (wrapper.metatype as { prototype?: object } | null)?.prototype;
      if (!prototype) continue;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const method = Object.getOwnPropertyDescriptor(prototype, name)?.value as unknown;
        if (typeof method === 'function' && Reflect.getMetadata(TRANSPORT_METADATA, method) === KAFKA_BATCH_TRANSPORT) {
          found.push(`${wrapper.name}.${name}`);
        }
      }
    }
  }
  return found;
}

/**
 * The Kafka batch transport of a service: its batches commit in the service's own DataSource and
 * schema, its metrics join the service's registry, and schemas come from the registry the config
 * names (the in-repo one by default).
 */
export function createBatchTransport(
  config: ServiceConfig,
  dataSource: DataSource,
  logger: Logger,
  registry: Registry,
  tuning: { consumer?: ConsumerTuning; outbox?: OutboxTuning } = {},
): KafkaBatchTransport {
  return new KafkaBatchTransport({
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId,
    topicPrefix: config.kafka.topicPrefix,
    serde: new AvroSerde(createSchemaRegistry({ url: config.kafka.schemaRegistryUrl })),
    transactionRunner: typeormTransactionRunner(dataSource),
    schema: config.database.schema,
    logger: logger.child({ component: 'kafka' }),
    registry,
    consumer: tuning.consumer,
    outbox: tuning.outbox,
    // A service whose brokers are down still serves HTTP and reports Kafka in its readiness; its
    // consumers join once the brokers answer.
    startup: 'background',
  });
}
