import { ArgumentsHost, Catch } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import { PROBLEM_CONTENT_TYPE, toProblem } from '@cdp/service-kit';
import { IngestionProblemFilter } from '../api/ingestion-problem.filter';
import { ImportError } from './import.error';

/** Ingestion's problem+json mapping, plus the mapping field at fault of an import error (`field` extension member). */
@Catch()
export class ImportsProblemFilter extends IngestionProblemFilter {
  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (!(exception instanceof ImportError) || host.getType() !== 'http') return super.catch(exception, host);
    const http = host.switchToHttp();
    const request = http.getRequest<IncomingMessage & { originalUrl?: string }>();
    const response = http.getResponse<ServerResponse>();
    const { field } = exception.extras;
    const problem = { ...toProblem(exception), instance: request.originalUrl ?? request.url, ...(field !== undefined ? { field } : {}) };
    if (response.headersSent) return;
    response.statusCode = problem.status;
    response.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    response.end(JSON.stringify(problem));
  }
}
