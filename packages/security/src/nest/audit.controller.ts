import { Controller, Get, Query } from '@nestjs/common';
import { AuditLog, type AuditPage } from '../audit/audit-log';
import { SecurityError } from '../security.error';
import { RequireScopes } from './decorators';

/** This service's audit entries, newest first: `?actor=&resourceType=&resourceId=&action=&limit=&cursor=`. */
@Controller('v1/audit')
@RequireScopes('audit:read')
export class AuditController {
  constructor(private readonly auditLog: AuditLog) {}

  @Get()
  list(@Query() query: Record<string, unknown>): Promise<AuditPage> {
    const text = (name: string): string | undefined => {
      const value = query[name];
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || value.length === 0 || value.length > 500) {
        throw new SecurityError('INVALID_AUDIT_QUERY', `${name}: expected one non-empty value`, 400, { field: name });
      }
      return value;
    };
    const limit = text('limit');
    if (limit !== undefined && !/^\d{1,3}$/.test(limit)) throw new SecurityError('INVALID_AUDIT_QUERY', 'limit: expected an integer from 1 to 200', 400, { field: 'limit' });
    return this.auditLog.list({
      actor: text('actor'),
      resourceType: text('resourceType'),
      resourceId: text('resourceId'),
      action: text('action'),
      limit: limit === undefined ? undefined : Number(limit),
      cursor: text('cursor'),
    });
  }
}
