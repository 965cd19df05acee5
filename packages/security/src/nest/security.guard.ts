import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ServerResponse } from 'node:http';
import { AuditLog } from '../audit/audit-log';
import { Authenticator } from '../auth/authenticator';
import { authorize, type Principal } from '../domain/access-token';
import type { Role, Scope } from '../domain/scopes';
import { SecurityError } from '../security.error';
import type { AuditedMetadata } from './decorators';
import { applyErrorHeaders, auditClientOf, requestAudit, type SecuredRequest } from './request-context';
import { AUDITED_METADATA, AUTHENTICATED_METADATA, ROLES_METADATA, SCOPES_METADATA } from './security.constants';

interface Requirement {
  scopes: Scope[];
  roles: Role[];
}

/**
 * Applied to every HTTP handler (APP_GUARD). Handlers without @RequireScopes, @Roles or
 * @Authenticated pass untouched: health, metrics and the write-key endpoints of ingestion keep
 * their own rules. Tokens are checked against the in-memory registry, without a round trip.
 */
@Injectable()
export class SecurityGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly auditLog: AuditLog,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<SecuredRequest>();
    const response = http.getResponse<ServerResponse>();
    request.auditTrail = requestAudit(this.auditLog, request);

    const requirement = this.requirementOf(context);
    if (!requirement) return true;

    let principal: Principal;
    try {
      principal = this.authenticator.authenticate(request.headers.authorization);
    } catch (error) {
      if (error instanceof SecurityError) applyErrorHeaders(response, error);
      throw error;
    }
    request.principal = principal;

    const decision = authorize(principal, requirement);
    if (decision.ok) return true;
    const who = `token ${principal.tokenId} ("${principal.name}", role ${principal.role})`;
    const error =
      decision.code === 'AUTH_SCOPE_MISSING'
        ? new SecurityError(
            'AUTH_SCOPE_MISSING',
            `This call needs the scope${decision.missing.length > 1 ? 's' : ''} ${decision.missing.join(', ')}, which ${who} does not have`,
            403,
            { authenticate: `Bearer realm="cdp", error="insufficient_scope", scope="${requirement.scopes.join(' ')}"` },
          )
        : new SecurityError('AUTH_ROLE_FORBIDDEN', `This call is open to the role${decision.roles.length > 1 ? 's' : ''} ${decision.roles.join(', ')}, not to ${who}`, 403);

    const audited = this.reflector.get<AuditedMetadata | undefined>(AUDITED_METADATA, context.getHandler());
    if (audited) {
      await this.auditLog.record({
        actor: principal,
        action: audited.action,
        resourceType: audited.resourceType ?? null,
        resourceId: request.params?.id ?? null,
        outcome: 'denied',
        status: 403,
        errorCode: error.code,
        client: auditClientOf(request),
        details: decision.code === 'AUTH_SCOPE_MISSING' ? { missingScopes: decision.missing } : { roles: decision.roles },
      });
    }
    applyErrorHeaders(response, error);
    throw error;
  }

  private requirementOf(context: ExecutionContext): Requirement | undefined {
    const targets = [context.getClass(), context.getHandler()];
    const scopes = targets.flatMap((target) => this.reflector.get<Scope[] | undefined>(SCOPES_METADATA, target) ?? []);
    const roles = this.reflector.get<Role[] | undefined>(ROLES_METADATA, context.getHandler()) ?? this.reflector.get<Role[] | undefined>(ROLES_METADATA, context.getClass());
    const authenticated = targets.some((target) => this.reflector.get<boolean | undefined>(AUTHENTICATED_METADATA, target) === true);
    if (scopes.length === 0 && roles === undefined && !authenticated) return undefined;
    return { scopes: [...new Set(scopes)], roles: roles ?? [] };
  }
}
