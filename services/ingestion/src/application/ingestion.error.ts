import { ServiceError } from '@cdp/service-kit';

export type IngestionErrorCode =
  | 'WRITE_KEY_MISSING'
  | 'WRITE_KEY_INVALID'
  | 'SOURCE_DISABLED'
  | 'PAYLOAD_TOO_LARGE'
  | 'MALFORMED_JSON'
  | 'MALFORMED_BODY'
  | 'UNSUPPORTED_ENCODING'
  | 'INVALID_BATCH'
  | 'INVALID_EVENT'
  | 'INVALID_SOURCE'
  | 'SOURCE_NOT_FOUND'
  | 'RATE_LIMITED'
  | 'KAFKA_UNAVAILABLE'
  | 'SCHEMA_REGISTRY_UNAVAILABLE'
  | 'DATABASE_UNAVAILABLE';

/**
 * The ingestion module's errors: a stable code, the HTTP status, and what the answer needs besides
 * the problem document (the field at fault, Retry-After, WWW-Authenticate).
 */
export class IngestionError extends ServiceError {
  constructor(
    override readonly code: IngestionErrorCode,
    message: string,
    status: number,
    readonly extras: { field?: string | null; reason?: string; retryAfterSeconds?: number; authenticate?: string; cause?: unknown } = {},
  ) {
    super(code, message, status, { cause: extras.cause });
  }

  static unavailable(code: 'KAFKA_UNAVAILABLE' | 'SCHEMA_REGISTRY_UNAVAILABLE' | 'DATABASE_UNAVAILABLE', message: string, cause: unknown): IngestionError {
    // Segment clients retry 5xx with backoff; Retry-After tells them (and load balancers) how soon.
    return new IngestionError(code, message, 503, { retryAfterSeconds: 5, cause });
  }
}
