import { Injectable, Logger, RequestMethod, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import { toProblem } from '@cdp/service-kit';
import { AuditLog, type AuditOutcome } from '../audit/audit-log';
import type { AuditedMetadata } from './decorators';
import { auditClientOf, type SecuredRequest } from './request-context';
import { AUDITED_METADATA } from './security.constants';

/**
 * Records @Audited handlers' calls. The entry is written before the answer leaves: a success is
 * answered only once its entry is stored (an audit write that fails turns the answer into a 500),
 * and a failure's entry is written before the error is answered.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly reflector: Reflector,
    private readonly auditLog: AuditLog,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const audited = this.reflector.get<AuditedMetadata | undefined>(AUDITED_METADATA, context.getHandler());
    if (!audited) return next.handle();
    const request = context.switchToHttp().getRequest<SecuredRequest>();
    const successStatus = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === RequestMethod[RequestMethod.POST] ? 201 : 200);

    const write = (outcome: AuditOutcome, status: number, errorCode: string | null, result: unknown) =>
      this.auditLog.record({
        actor: request.principal ?? null,
        action: audited.action,
        resourceType: audited.resourceType ?? null,
        resourceId: (audited.resourceId ? audited.resourceId(request, result) : defaultResourceId(request, result)) ?? null,
        fields: outcome === 'success' ? audited.fields : [],
        outcome,
        status,
        errorCode,
        client: auditClientOf(request),
        details: audited.details?.(request, result),
      });

    return next.handle().pipe(
      catchError((error: unknown) => {
        const problem = toProblem(error);
        return from(
          write('failure', problem.status, problem.code, undefined).catch((auditError: unknown) => {
            // The call failed and changed nothing; its answer is the original error, the lost entry is logged.
            this.logger.error({ err: auditError, action: audited.action }, 'could not record a failed call in the audit log');
          }),
        ).pipe(mergeMap(() => throwError(() => error)));
      }),
      mergeMap(async (result: unknown) => {
        await write('success', successStatus, null, result);
        return result;
      }),
    );
  }
}

function defaultResourceId(request: SecuredRequest, result: unknown): string | undefined {
  const fromRoute = request.params?.id;
  if (typeof fromRoute === 'string') return fromRoute;
  const fromResult = (result as { id?: unknown } | null | undefined)?.id;
  return typeof fromResult === 'string' ? fromResult : undefined;
}
