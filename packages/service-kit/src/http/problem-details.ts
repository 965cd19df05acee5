import { STATUS_CODES } from 'node:http';

/** RFC 9457 problem details, plus `code`: a stable, machine-readable string for clients to branch on. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  /** Field-level complaints of a rejected request, when there are several. */
  errors?: string[];
  /** Problem-specific members (RFC 9457 extensions), e.g. `field` or `violations`. */
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `NOT_FOUND` for 404, `SERVICE_UNAVAILABLE` for 503: the code of a plain HTTP error. */
export function codeForStatus(status: number): string {
  return (STATUS_CODES[status] ?? 'Error').toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '');
}

export function titleForStatus(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/**
 * A problem whose meaning is just its HTTP status uses `about:blank` (as RFC 9457 asks); one with
 * its own code gets a URN naming it, so clients can tell e.g. two different 409s apart.
 */
export function problemType(code: string, status: number): string {
  return code === codeForStatus(status) ? 'about:blank' : `urn:cdp:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}
