import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@cdp/service-kit';

/** What the projection does: events applied or dropped, orders recorded, profiles changed, merges and splits. */
@Injectable()
export class ProfileMetrics {
  private readonly events: Counter<'outcome'>;
  private readonly orders: Counter;
  private readonly changes: Counter;
  private readonly groups: Counter<'kind'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.events = counter(registry, 'cdp_profile_events_total', 'Resolved events, by outcome (projected, dropped_erased)', ['outcome']);
    this.orders = counter(registry, 'cdp_profile_orders_total', 'Orders recorded (re-sent orders count once)', []);
    this.changes = counter(registry, 'cdp_profile_changes_total', 'ProfileChanged events queued (one per changed profile per batch)', []);
    this.groups = counter(registry, 'cdp_profile_merge_events_total', 'Merges and splits, by kind (merged, split, ignored)', ['kind']);
  }

  projected(events: number, dropped: number, orders: number, changed: number): void {
    if (events > 0) this.events.inc({ outcome: 'projected' }, events);
    if (dropped > 0) this.events.inc({ outcome: 'dropped_erased' }, dropped);
    if (orders > 0) this.orders.inc(orders);
    if (changed > 0) this.changes.inc(changed);
  }

  grouped(kind: 'merged' | 'split' | 'ignored'): void {
    this.groups.inc({ kind });
  }

  profilesChanged(changed: number): void {
    if (changed > 0) this.changes.inc(changed);
  }
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}
