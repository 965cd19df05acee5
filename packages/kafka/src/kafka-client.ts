import type { ConnectionOptions } from 'node:tls';
import { Kafka, type SASLOptions } from 'kafkajs';
import { KafkaRuntimeError } from './errors';
import { createConsoleLogger, kafkaLogCreator, kafkaLogLevel, type LogLevelName, type Logger } from './logger';

export interface KafkaClientOptions {
  /** `host:port` list, or the comma-separated form found in KAFKA_BROKERS. */
  brokers: string | readonly string[];
  clientId: string;
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
  logger?: Logger;
  /** Minimum level of kafkajs's own logs that reach the logger (default warn). */
  logLevel?: LogLevelName;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export function parseBrokers(brokers: string | readonly string[]): string[] {
  const list = (typeof brokers === 'string' ? brokers.split(',') : [...brokers]).map((b) => b.trim()).filter(Boolean);
  if (list.length === 0) throw new KafkaRuntimeError('KAFKA_CONFIG_INVALID', 'No Kafka brokers configured');
  for (const broker of list) {
    if (!/^[^\s:]+:\d+$/.test(broker)) {
      throw new KafkaRuntimeError('KAFKA_CONFIG_INVALID', `Kafka broker "${broker}" is not host:port`);
    }
  }
  return list;
}

export function createKafka(options: KafkaClientOptions): Kafka {
  const logger = options.logger ?? createConsoleLogger();
  return new Kafka({
    clientId: options.clientId,
    brokers: parseBrokers(options.brokers),
    ssl: options.ssl,
    sasl: options.sasl,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30000,
    logLevel: kafkaLogLevel(options.logLevel ?? 'warn'),
    logCreator: kafkaLogCreator(logger),
  });
}
