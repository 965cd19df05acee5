import { Body, Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { Audited, Principal, RequireScopes } from '@cdp/security';
import { IdentityError } from '../application/identity.error';
import { RulesAdmin, type RulesChange } from '../application/rules-admin';
import { pageSize } from './identities.controller';

/**
 * The identity rules: identifier types with their limits and priorities, blocked values and patterns,
 * custom-type defaults and merge caps. Every change is a new version, audited.
 */
@Controller('v1/identity/rules')
export class RulesController {
  constructor(private readonly admin: RulesAdmin) {}

  @Get()
  @RequireScopes('identity:read')
  current() {
    return this.admin.current();
  }

  /** `{ rules: <document>, expectedVersion?, reason? }`: replaces the whole document. */
  @Put()
  @RequireScopes('identity:admin')
  @Audited('identity.rules.replace', { resourceType: 'identity_rules' })
  replace(@Body() body: unknown, @Principal() principal: Principal) {
    const { rules, ...rest } = object(body);
    return this.admin.replace(rules, change(rest, principal));
  }

  /** `{ limit, priority, blockedValues?, blockedPatterns?, expectedVersion?, reason? }`: one type's rule. */
  @Put('types/:type')
  @RequireScopes('identity:admin')
  @Audited('identity.rules.put_type', { resourceType: 'identifier_type', resourceId: typeParam })
  putType(@Param('type') type: string, @Body() body: unknown, @Principal() principal: Principal) {
    const { expectedVersion, reason, ...rule } = object(body);
    return this.admin.putType(type, rule, change({ expectedVersion, reason }, principal));
  }

  @Delete('types/:type')
  @RequireScopes('identity:admin')
  @Audited('identity.rules.delete_type', { resourceType: 'identifier_type', resourceId: typeParam })
  deleteType(@Param('type') type: string, @Principal() principal: Principal, @Query('reason') reason?: string) {
    return this.admin.deleteType(type, change({ reason }, principal));
  }

  @Get('changes')
  @RequireScopes('identity:read')
  history(@Query('limit') limit?: string, @Query('beforeVersion') beforeVersion?: string) {
    const before = beforeVersion === undefined ? undefined : Number(beforeVersion);
    if (before !== undefined && !Number.isInteger(before)) throw new IdentityError('INVALID_REQUEST', 'beforeVersion must be an integer', 400, { field: 'beforeVersion' });
    return this.admin.history(pageSize(limit), before);
  }
}

function typeParam(request: { params?: Record<string, string> }): string | undefined {
  return request.params?.type;
}

function object(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new IdentityError('INVALID_REQUEST', 'the body must be a JSON object', 400);
  return body as Record<string, unknown>;
}

function change(fields: { expectedVersion?: unknown; reason?: unknown }, principal: Principal): RulesChange {
  const { expectedVersion, reason } = fields;
  if (expectedVersion !== undefined && !Number.isInteger(expectedVersion)) {
    throw new IdentityError('INVALID_REQUEST', 'expectedVersion must be an integer', 400, { field: 'expectedVersion' });
  }
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500)) {
    throw new IdentityError('INVALID_REQUEST', 'reason must be a string of at most 500 characters', 400, { field: 'reason' });
  }
  return { expectedVersion: expectedVersion as number | undefined, reason: (reason as string | undefined) ?? null, changedBy: `${principal.name} (${principal.tokenId})` };
}
