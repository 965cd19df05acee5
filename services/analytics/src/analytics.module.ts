import { Module } from '@nestjs/common';
import { ClickHouseLifecycle, clickhouseProvider, CLICKHOUSE } from './persistence/clickhouse.provider';

/**
 * Analytics' own controllers, consumers and providers; health, metrics and `GET /` come from the
 * service kit. Analytics alone owns ClickHouse.
 */
@Module({
  providers: [clickhouseProvider, ClickHouseLifecycle],
  exports: [CLICKHOUSE],
})
export class AnalyticsModule {}
