import { ArgumentsHost, Catch, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import { PROBLEM_CONTENT_TYPE, ProblemDetailsFilter, toProblem } from '@cdp/service-kit';
import { AnalyticsError } from '../analytics.error';

/**
 * The kit's problem+json mapping, plus what analytics' answers carry beyond the problem document:
 * `refused` (what the read-only SQL check refused), `clickhouse` (ClickHouse's error code and
 * name), WWW-Authenticate on 401.
 */
@Catch()
export class AnalyticsProblemFilter extends ProblemDetailsFilter {
  private readonly log = new Logger('Analytics');

  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (!(exception instanceof AnalyticsError) || host.getType() !== 'http') return super.catch(exception, host);
    const http = host.switchToHttp();
    const request = http.getRequest<IncomingMessage & { originalUrl?: string }>();
    const response = http.getResponse<ServerResponse>();
    const { refused, clickhouse, authenticate } = exception.extras;
    const problem = {
      ...toProblem(exception),
      instance: request.originalUrl ?? request.url,
      ...(refused !== undefined ? { refused } : {}),
      ...(clickhouse !== undefined ? { clickhouse } : {}),
    };
    if (problem.status >= 500) this.log.warn({ err: exception.cause ?? exception, code: problem.code }, problem.detail);
    if (response.headersSent) return;
    response.statusCode = problem.status;
    if (authenticate) response.setHeader('WWW-Authenticate', authenticate);
    response.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    response.end(JSON.stringify(problem));
  }
}
