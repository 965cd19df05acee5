import { ServiceError } from '@cdp/service-kit';

export type IdentityErrorCode =
  | 'PROFILE_NOT_FOUND'
  | 'IDENTIFIER_NOT_FOUND'
  | 'MERGE_NOT_FOUND'
  | 'MERGE_ALREADY_UNDONE'
  | 'INVALID_IDENTIFIER'
  | 'INVALID_RULES'
  | 'RULES_VERSION_CONFLICT'
  | 'INVALID_REQUEST'
  | 'INVALID_CURSOR'
  | 'GRAPH_CONTENDED'
  | 'GRAPH_CORRUPT';

/** The identity module's errors: a stable code, the HTTP status, and problem extensions (field, violations). */
export class IdentityError extends ServiceError {
  constructor(code: IdentityErrorCode, message: string, status: number, extensions: Record<string, unknown> = {}) {
    super(code, message, status, { extensions });
  }
}
