import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Token of the service's prom-client Registry; the Kafka runtime registers its metrics on it too. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

export const HTTP_DURATION_METRIC = 'http_request_duration_seconds';

/**
 * One registry per application rather than prom-client's global one, so that several apps in one
 * process (tests) never collide on metric names, and everything a scrape sees belongs to this service.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function httpDurationHistogram(registry: Registry): Histogram<'method' | 'route' | 'status_code'> {
  const existing = registry.getSingleMetric(HTTP_DURATION_METRIC);
  if (existing) return existing as Histogram<'method' | 'route' | 'status_code'>;
  return new Histogram({
    name: HTTP_DURATION_METRIC,
    help: 'Duration of HTTP requests, by route template, method and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
}
