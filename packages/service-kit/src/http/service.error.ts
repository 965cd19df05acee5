/**
 * An error with a stable string code and the HTTP status it maps to. Modules subclass it (or
 * throw it with their own codes); the problem-details filter turns it into an RFC 9457 response.
 */
export class ServiceError extends Error {
  /** Members the problem document carries besides the standard ones (e.g. `field`, `violations`). */
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    options?: { cause?: unknown; extensions?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.extensions = options?.extensions ?? {};
  }
}
