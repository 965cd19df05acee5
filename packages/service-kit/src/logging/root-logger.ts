import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '@cdp/config';

export interface RootLoggerOptions {
  service: string;
  version: string;
  level: LogLevel;
  /** Where log lines go; stdout by default (the process supervisor owns files and rotation). */
  destination?: DestinationStream;
}

/**
 * The one pino logger of a service process: JSON lines with the service and version on every
 * line, level names instead of numbers, ISO timestamps, credentials redacted.
 */
export function createRootLogger(options: RootLoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, version: options.version, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
