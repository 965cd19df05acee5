import { Module } from '@nestjs/common';
import { HistoryConsumer } from './consumers/history.consumer';
import { HistorySink } from './history/history-sink';
import { ClickHouseLifecycle, clickhouseProvider, CLICKHOUSE } from './persistence/clickhouse.provider';

/**
 * Analytics' own controllers, consumers and providers; health, metrics and `GET /` come from the
 * service kit. Analytics alone owns ClickHouse.
 */
@Module({
  controllers: [HistoryConsumer],
  providers: [clickhouseProvider, ClickHouseLifecycle, HistorySink],
  exports: [CLICKHOUSE],
})
export class AnalyticsModule {}
