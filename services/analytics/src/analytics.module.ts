import { Module } from '@nestjs/common';
import { AnalyticsTokenGuard } from './api/analytics-token.guard';
import { ReportsController } from './api/reports.controller';
import { SqlController } from './api/sql.controller';
import { TimelineController } from './api/timeline.controller';
import { HistoryConsumer } from './consumers/history.consumer';
import { HistorySink } from './history/history-sink';
import { SinkMetrics } from './history/sink.metrics';
import { ClickHouseLifecycle, clickhouseProvider, CLICKHOUSE } from './persistence/clickhouse.provider';
import { ReadSessions } from './persistence/read-sessions';
import { ReportsService } from './reports/reports.service';
import { ReadOnlySqlService } from './sql/read-only-sql.service';
import { TimelineService } from './timeline/timeline.service';

/**
 * Analytics' own controllers, consumers and providers; health, metrics and `GET /` come from the
 * service kit. Analytics alone owns ClickHouse.
 */
@Module({
  controllers: [HistoryConsumer, SqlController, TimelineController, ReportsController],
  providers: [clickhouseProvider, ClickHouseLifecycle, SinkMetrics, HistorySink, ReadSessions, ReadOnlySqlService, TimelineService, ReportsService, AnalyticsTokenGuard],
  exports: [CLICKHOUSE],
})
export class AnalyticsModule {}
