import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@cdp/service-kit';

export type EventOutcome = 'accepted' | 'rejected' | 'deduplicated';

/** Events by source, outcome and reason code (empty for accepted and deduplicated events). */
@Injectable()
export class IngestionMetrics {
  private readonly events: Counter<'source_id' | 'outcome' | 'reason'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const name = 'cdp_ingestion_events_total';
    this.events =
      (registry.getSingleMetric(name) as Counter<'source_id' | 'outcome' | 'reason'> | undefined) ??
      new Counter({ name, help: 'Events received, by source, outcome (accepted, rejected, deduplicated) and reason', labelNames: ['source_id', 'outcome', 'reason'], registers: [registry] });
  }

  count(sourceId: string, outcome: EventOutcome, n = 1, reason = ''): void {
    if (n > 0) this.events.inc({ source_id: sourceId, outcome, reason }, n);
  }
}
