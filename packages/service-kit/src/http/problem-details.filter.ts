import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { throwError, type Observable } from 'rxjs';
import { codeForStatus, problemType, PROBLEM_CONTENT_TYPE, titleForStatus, type ProblemDetails } from './problem-details';
import { ServiceError } from './service.error';

/**
 * Maps every error escaping an HTTP handler to `application/problem+json`:
 * - Nest's HttpException: its status; its code when the response body carries one.
 * - Any error with a string `code` and an HTTP `status` (ServiceError and module errors shaped
 *   like it): that code and status.
 * - Anything else is a bug: 500 with a generic detail (internals never reach the client) and the
 *   full error in the log.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    // Batch handlers (RPC context) report failures to the Kafka transport, which retries or
    // dead-letters: hand the error back untouched.
    if (host.getType() !== 'http') return throwError(() => exception);
    const http = host.switchToHttp();
    const request = http.getRequest<IncomingMessage & { originalUrl?: string }>();
    const response = http.getResponse<ServerResponse>();
    const problem = { ...toProblem(exception), instance: request.originalUrl ?? request.url };
    if (problem.status >= 500) this.logger.error({ err: exception, code: problem.code }, problem.detail);
    if (response.headersSent) return;
    response.statusCode = problem.status;
    response.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    response.end(JSON.stringify(problem));
  }
}

export function toProblem(exception: unknown): ProblemDetails {
  if (exception instanceof HttpException) return fromHttpException(exception);
  if (isCodedError(exception)) {
    const base = problem(exception.status, exception.code, exception.message);
    // Extensions add to the document; they never replace its standard members.
    return exception instanceof ServiceError ? { ...exception.extensions, ...base } : base;
  }
  return problem(HttpStatus.INTERNAL_SERVER_ERROR, 'INTERNAL_ERROR', 'The service failed to handle the request.');
}

function fromHttpException(exception: HttpException): ProblemDetails {
  const status = exception.getStatus();
  const body = exception.getResponse();
  if (typeof body === 'string') return problem(status, codeForStatus(status), body);
  const { message, code } = body as { message?: unknown; code?: unknown };
  const codeText = typeof code === 'string' ? code : codeForStatus(status);
  if (Array.isArray(message)) {
    const errors = message.map(String);
    return { ...problem(status, codeText, errors.join('; ')), errors };
  }
  return problem(status, codeText, typeof message === 'string' ? message : exception.message);
}

function problem(status: number, code: string, detail: string): ProblemDetails {
  return { type: problemType(code, status), title: titleForStatus(status), status, detail, code };
}

function isCodedError(error: unknown): error is Error & { code: string; status: number } {
  if (!(error instanceof Error)) return false;
  const { code, status } = error as { code?: unknown; status?: unknown };
  return typeof code === 'string' && typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599;
}
