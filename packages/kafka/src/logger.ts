import { logLevel as KafkaLogLevel, type LogEntry, type logCreator } from 'kafkajs';

/** The subset of pino's API the runtime logs through; a pino logger satisfies it as is. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevelName, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Fallback when no logger is supplied: one JSON line per entry on stderr, so a library never
 * swallows warnings just because nobody wired a logger.
 */
export function createConsoleLogger(level: LogLevelName = 'warn', bindings: object = {}): Logger {
  const write = (lvl: LogLevelName) => (obj: object, msg?: string) => {
    if (RANK[lvl] < RANK[level]) return;
    process.stderr.write(`${JSON.stringify({ level: lvl, time: Date.now(), ...bindings, ...obj, msg })}\n`);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

const KAFKA_LEVEL: Record<LogLevelName, KafkaLogLevel> = {
  debug: KafkaLogLevel.DEBUG,
  info: KafkaLogLevel.INFO,
  warn: KafkaLogLevel.WARN,
  error: KafkaLogLevel.ERROR,
};

export function kafkaLogLevel(level: LogLevelName): KafkaLogLevel {
  return KAFKA_LEVEL[level];
}

/**
 * Routes kafkajs's own logs into our logger. kafkajs INFO is chatty (every join, every
 * connection), so it goes to debug; the client's log level (default warn) filters before this.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      const obj = { component: 'kafkajs', namespace, ...extra };
      if (level === KafkaLogLevel.ERROR) logger.error(obj, message);
      else if (level === KafkaLogLevel.WARN) logger.warn(obj, message);
      else logger.debug(obj, message);
    };
}
