import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Histogram } from 'prom-client';

/** The label of requests no route matched: one series for all of them, whatever the URL. */
export const UNMATCHED_ROUTE = '<unmatched>';

/**
 * Express middleware timing every request. Routes are labelled by their template
 * (`/profiles/:id`), never the concrete URL, so the number of series stays bounded.
 */
export function httpMetricsMiddleware(histogram: Histogram<'method' | 'route' | 'status_code'>) {
  return (req: RoutedRequest, res: ServerResponse, next: () => void): void => {
    const stop = histogram.startTimer();
    res.once('finish', () => {
      stop({ method: req.method ?? 'UNKNOWN', route: routeTemplate(req), status_code: String(res.statusCode) });
    });
    next();
  };
}

/** What Express adds to a request once a route matched it. */
type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

// Nest mounts route-wide middleware (request logging) on a wildcard route (`{/*splat}`, `{*path}`,
// `*`), which then stays on requests that no controller matched.
const MIDDLEWARE_CATCH_ALL = /\{\/?\*\w+\}|^\/?\*$/;

function routeTemplate(req: RoutedRequest): string {
  const path = req.route?.path;
  if (typeof path !== 'string' || MIDDLEWARE_CATCH_ALL.test(path)) return UNMATCHED_ROUTE;
  return `${req.baseUrl ?? ''}${path}` || '/';
}
