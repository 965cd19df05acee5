import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@cdp/service-kit';
import type { GraphChange, SkippedIdentifier } from '../domain';

/** What resolution does: events resolved, graph changes by kind, identifiers skipped by reason. */
@Injectable()
export class IdentityMetrics {
  private readonly events: Counter<'outcome'>;
  private readonly changes: Counter<'kind' | 'reason'>;
  private readonly skips: Counter<'type' | 'reason'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.events = counter(registry, 'cdp_identity_events_total', 'Ingested events, by outcome (resolved, dead_lettered)', ['outcome']);
    this.changes = counter(registry, 'cdp_identity_graph_changes_total', 'Identity graph changes, by kind and reason (drops: limit or identifier_cap; caps: merges or identifiers)', ['kind', 'reason']);
    this.skips = counter(registry, 'cdp_identity_identifiers_skipped_total', 'Identifiers that did not take part in matching, by type and reason', ['type', 'reason']);
  }

  resolved(n: number, changes: readonly GraphChange[]): void {
    if (n > 0) this.events.inc({ outcome: 'resolved' }, n);
    for (const c of changes) {
      const reason = c.kind === 'IdentifierDropped' ? c.reason : c.kind === 'MergeCapped' ? c.cap : '';
      this.changes.inc({ kind: c.kind, reason });
    }
  }

  deadLettered(n: number): void {
    if (n > 0) this.events.inc({ outcome: 'dead_lettered' }, n);
  }

  skipped(skipped: readonly SkippedIdentifier[]): void {
    for (const s of skipped) this.skips.inc({ type: s.type, reason: s.reason });
  }
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}
