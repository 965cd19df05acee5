import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { ServiceConfig } from '@cdp/config';
import { SERVICE_CONFIG } from '../service-tokens';
import { errorMessage, withTimeout } from './with-timeout';

/**
 * Kafka reachability: a Metadata round trip (admin describeCluster) through a long-lived admin
 * client. After any failure the client is dropped, so the next probe starts from a fresh
 * connection instead of waiting on a half-broken one.
 */
@Injectable()
export class KafkaHealthIndicator implements OnApplicationShutdown {
  private admin: Admin | undefined;
  private connected: Promise<Admin> | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check<Key extends string>(key: Key, timeoutMs = 2_000) {
    const session = this.indicator.check(key);
    try {
      const cluster = await withTimeout(this.describeCluster(), timeoutMs, `no answer from Kafka within ${timeoutMs} ms`);
      return session.up({ brokers: cluster.brokers.length, controller: cluster.controller, clusterId: cluster.clusterId });
    } catch (error) {
      await this.reset();
      return session.down({ message: errorMessage(error), brokers: this.config.kafka.brokers.join(',') });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.reset();
  }

  private async describeCluster() {
    if (!this.connected) {
      // A probe answers now, from one attempt: no retries (the runtime's clients retry for
      // minutes), and no kafkajs logs (the probe's result carries the error).
      const kafka = new Kafka({
        brokers: this.config.kafka.brokers,
        clientId: `${this.config.kafka.clientId}-health`,
        connectionTimeout: 1_000,
        requestTimeout: 2_000,
        retry: { retries: 0 },
        logLevel: logLevel.NOTHING,
      });
      const admin = kafka.admin();
      this.admin = admin;
      this.connected = admin.connect().then(() => admin);
    }
    const admin = await this.connected;
    return admin.describeCluster();
  }

  private async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    this.connected = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
