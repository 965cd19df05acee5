import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit, type Provider } from '@nestjs/common';
import { createClickHouse, type ClickHouse } from '@cdp/clickhouse';
import { ReadinessChecks, SERVICE_CONFIG } from '@cdp/service-kit';
import type { AnalyticsConfig } from '../config';

/** Token of analytics' ClickHouse connection. */
export const CLICKHOUSE = Symbol('CLICKHOUSE');

export const clickhouseProvider: Provider = {
  provide: CLICKHOUSE,
  inject: [SERVICE_CONFIG],
  useFactory: (config: AnalyticsConfig): Promise<ClickHouse> => createClickHouse(config.clickhouse, { application: config.name }),
};

/** Makes readiness depend on ClickHouse answering, and closes the connection (freeing the embedded data directory) on shutdown. */
@Injectable()
export class ClickHouseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(CLICKHOUSE) private readonly clickhouse: ClickHouse,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.readiness.register({
      name: 'clickhouse',
      check: async () => {
        await this.clickhouse.ping();
        return { mode: this.clickhouse.mode, database: this.clickhouse.database };
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.clickhouse.close();
  }
}
