import { ServiceError } from '@cdp/service-kit';

export type ImportErrorCode = 'INVALID_MAPPING' | 'MAPPING_MISSING' | 'FILE_MISSING' | 'UNSUPPORTED_MEDIA_TYPE' | 'MALFORMED_FILE' | 'IMPORT_NOT_FOUND';

/** File import errors: a stable code, the HTTP status and, for a bad mapping, the mapping field at fault. */
export class ImportError extends ServiceError {
  constructor(
    override readonly code: ImportErrorCode,
    message: string,
    status: number,
    readonly extras: { field?: string; cause?: unknown } = {},
  ) {
    super(code, message, status, { cause: extras.cause });
  }
}
