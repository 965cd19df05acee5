import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Principal as TokenPrincipal } from '../domain/access-token';
import type { Role, Scope } from '../domain/scopes';
import { SecurityError } from '../security.error';
import { AUDITED_METADATA, AUTHENTICATED_METADATA, ROLES_METADATA, SCOPES_METADATA } from './security.constants';
import type { RequestAudit, SecuredRequest } from './request-context';

/**
 * The handler (or every handler of the controller) needs a valid bearer token holding all of these
 * scopes: 401 without a usable token, 403 naming the missing scope otherwise. On a class and a
 * method, both sets are required.
 */
export const RequireScopes = (...scopes: Scope[]) => SetMetadata(SCOPES_METADATA, scopes);

/** The token's role must be one of these (a method's list replaces its controller's). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_METADATA, roles);

/** Any valid token will do. */
export const Authenticated = () => SetMetadata(AUTHENTICATED_METADATA, true);

export interface AuditedOptions {
  /** What kind of resource the call acts on, e.g. `token`, `profile`. */
  resourceType?: string;
  /** Default: the `:id` route parameter, else the `id` of the handler's result. */
  resourceId?: (request: SecuredRequest, result: unknown) => string | null | undefined;
  /** For reads of PII: which fields the answer carries in plaintext. */
  fields?: readonly string[];
  /** Further facts worth keeping (never secrets or PII values). */
  details?: (request: SecuredRequest, result: unknown) => Record<string, unknown> | undefined;
}

export interface AuditedMetadata extends AuditedOptions {
  action: string;
}

/**
 * Records every call of the handler in the audit log (actor, action, resource, client, outcome),
 * written before the answer goes out; a call refused for a missing scope is recorded as denied.
 */
export const Audited = (action: string, options: AuditedOptions = {}) => SetMetadata(AUDITED_METADATA, { action, ...options } satisfies AuditedMetadata);

/** The principal type, and the parameter decorator that hands a guarded handler its principal. */
export type Principal = TokenPrincipal;
export const Principal = createParamDecorator((_data: unknown, context: ExecutionContext): TokenPrincipal => {
  const principal = context.switchToHttp().getRequest<SecuredRequest>().principal;
  if (!principal) {
    throw new SecurityError('AUTH_NOT_CONFIGURED', '@Principal() used on a handler without @RequireScopes, @Roles or @Authenticated');
  }
  return principal;
});

/** The request's audit trail, for handlers that record PII reads themselves (`audit.record({...})`). */
export const AuditTrail = createParamDecorator((_data: unknown, context: ExecutionContext): RequestAudit => {
  const trail = context.switchToHttp().getRequest<SecuredRequest>().auditTrail;
  if (!trail) throw new SecurityError('AUTH_NOT_CONFIGURED', '@AuditTrail() needs SecurityModule.forRoot() in the application');
  return trail;
});
