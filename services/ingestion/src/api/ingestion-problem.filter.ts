import { ArgumentsHost, Catch, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import { PROBLEM_CONTENT_TYPE, ProblemDetailsFilter, toProblem } from '@cdp/service-kit';
import { IngestionError } from '../application/ingestion.error';

/**
 * The kit's problem+json mapping, plus what ingestion's answers carry beyond the problem document:
 * Retry-After on 429/503 (Segment clients honour it), WWW-Authenticate on 401, and the field at
 * fault and reason code of an invalid event (`field` and `reason` extension members, as RFC 9457 allows).
 */
@Catch()
export class IngestionProblemFilter extends ProblemDetailsFilter {
  private readonly log = new Logger('Ingestion');

  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (!(exception instanceof IngestionError) || host.getType() !== 'http') return super.catch(exception, host);
    const http = host.switchToHttp();
    const request = http.getRequest<IncomingMessage & { originalUrl?: string }>();
    const response = http.getResponse<ServerResponse>();
    const { retryAfterSeconds, authenticate, field, reason } = exception.extras;
    const problem = { ...toProblem(exception), instance: request.originalUrl ?? request.url, ...(field !== undefined ? { field } : {}), ...(reason !== undefined ? { reason } : {}) };
    // Infrastructure outages are answered (503) and retried by clients; the cause still belongs in the log.
    if (problem.status >= 500) this.log.warn({ err: exception.cause ?? exception, code: problem.code }, problem.detail);
    if (response.headersSent) return;
    response.statusCode = problem.status;
    if (retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))));
    if (authenticate) response.setHeader('WWW-Authenticate', authenticate);
    response.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    response.end(JSON.stringify(problem));
  }
}
