import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@cdp/service-kit';

/** Rows the sink writes, and how long its inserts and row building take, by table. */
@Injectable()
export class SinkMetrics {
  private readonly rows: Counter<'table'>;
  private readonly seconds: Histogram<'table' | 'step'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const rowsName = 'cdp_analytics_sink_rows_total';
    const secondsName = 'cdp_analytics_sink_seconds';
    this.rows =
      (registry.getSingleMetric(rowsName) as Counter<'table'> | undefined) ??
      new Counter({ name: rowsName, help: 'Rows inserted into ClickHouse by the history sink, by table (replays count again)', labelNames: ['table'], registers: [registry] });
    this.seconds =
      (registry.getSingleMetric(secondsName) as Histogram<'table' | 'step'> | undefined) ??
      new Histogram({
        name: secondsName,
        help: 'Time the history sink spends per batch, by step (rows: building rows and removing PII; insert: the ClickHouse insert) and table',
        labelNames: ['table', 'step'],
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [registry],
      });
  }

  /** Starts a timer; call the result when the step is done. */
  time(step: 'rows' | 'insert', table: string): () => void {
    const end = this.seconds.startTimer({ step, table });
    return () => {
      end();
    };
  }

  inserted(table: string, rows: number): void {
    if (rows > 0) this.rows.inc({ table }, rows);
  }
}
