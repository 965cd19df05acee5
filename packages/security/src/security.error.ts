export type SecurityErrorCode =
  // keys and ciphertexts
  | 'KEY_INVALID'
  | 'MASTER_KEY_UNKNOWN'
  | 'KEY_UNWRAP_FAILED'
  | 'CIPHERTEXT_INVALID'
  | 'DECRYPT_FAILED'
  | 'DATA_KEY_CONFLICT'
  // management auth
  | 'AUTH_TOKEN_MISSING'
  | 'AUTH_TOKEN_INVALID'
  | 'AUTH_TOKEN_EXPIRED'
  | 'AUTH_TOKEN_REVOKED'
  | 'AUTH_SCOPE_MISSING'
  | 'AUTH_ROLE_FORBIDDEN'
  | 'AUTH_NOT_READY'
  | 'TOKEN_SCOPE_ESCALATION'
  | 'INVALID_TOKEN_REQUEST'
  | 'TOKEN_NOT_FOUND'
  | 'TOKEN_EXISTS'
  | 'AUTH_NOT_CONFIGURED'
  | 'TOKEN_REGISTRY_UNAVAILABLE'
  | 'INVALID_AUDIT_QUERY';

/**
 * The security module's errors. They carry a string `code` and an HTTP `status`, which is all the
 * service kit's problem+json filter needs; crypto failures default to 500 because a ciphertext
 * that does not open is a bug or tampering, never the caller's input. `extras` carries what the
 * answer needs besides the problem document (WWW-Authenticate, Retry-After, the field at fault).
 */
export class SecurityError extends Error {
  constructor(
    readonly code: SecurityErrorCode,
    message: string,
    readonly status: number = 500,
    readonly extras: { cause?: unknown; authenticate?: string; retryAfterSeconds?: number; field?: string } = {},
  ) {
    super(message, { cause: extras.cause });
    this.name = 'SecurityError';
  }
}
