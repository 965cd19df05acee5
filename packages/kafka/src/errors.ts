export type KafkaRuntimeErrorCode =
  | 'KAFKA_CONFIG_INVALID'
  | 'KAFKA_TOPIC_UNKNOWN'
  | 'KAFKA_HANDLER_CONFLICT'
  | 'KAFKA_HANDLER_FAILED'
  | 'KAFKA_RESULT_INVALID'
  | 'KAFKA_EVENT_INVALID'
  | 'KAFKA_CONSUMER_STOPPED'
  | 'KAFKA_RETRY_REQUESTED'
  | 'KAFKA_TOPIC_NOT_READY';

/** The Kafka runtime's one error type; `code` is stable and machine-readable. */
export class KafkaRuntimeError extends Error {
  constructor(
    readonly code: KafkaRuntimeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KafkaRuntimeError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}
