import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Options } from 'pino-http';

export const REQUEST_ID_HEADER = 'x-request-id';

// Probes and scrapes arrive every few seconds; logging each would drown the lines that matter.
const QUIET_PATHS = /^\/(health(\/.*)?|metrics)\/?(\?.*)?$/;

/** pino-http options: one line per request, its level following the response status. */
export function httpLoggingOptions(logger: Logger): Options {
  return {
    logger,
    genReqId(req: IncomingMessage, res: ServerResponse) {
      const given = req.headers[REQUEST_ID_HEADER];
      // Keep a caller's id so one request can be followed across services; bound its size.
      const id = typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
      res.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    customLogLevel(_req, res, error) {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    autoLogging: {
      ignore: (req) => QUIET_PATHS.test(req.url ?? '') && (req.method === 'GET' || req.method === 'HEAD'),
    },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
