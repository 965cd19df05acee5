import { ServiceError } from '@cdp/service-kit';

export type ProfileErrorCode =
  | 'PROFILE_NOT_FOUND'
  | 'PROFILE_ERASED'
  | 'INVALID_REQUEST'
  | 'INVALID_CURSOR'
  | 'INVALID_FILTER'
  | 'PII_NOT_SEARCHABLE'
  | 'FILTER_NOT_SUPPORTED'
  | 'INVALID_IDENTIFIER'
  | 'ERASURE_NOT_FOUND'
  | 'SERVICE_NOT_CONFIGURED'
  | 'SERVICE_UNAVAILABLE';

/** The profile module's errors: a stable code, the HTTP status, and problem extensions (field, reason, available). */
export class ProfileError extends ServiceError {
  constructor(code: ProfileErrorCode, message: string, status: number, extensions: Record<string, unknown> = {}) {
    super(code, message, status, { extensions });
  }

  static invalid(field: string, message: string): ProfileError {
    return new ProfileError('INVALID_REQUEST', `${field}: ${message}`, 422, { field });
  }

  static notFound(id: string): ProfileError {
    return new ProfileError('PROFILE_NOT_FOUND', `no profile ${id}`, 404);
  }
}
