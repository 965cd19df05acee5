import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { AuditTrail, Principal, RequireScopes, type RequestAudit } from '@cdp/security';
import { IdentityDirectory } from '../application/identity-directory';
import { IdentityError } from '../application/identity.error';

/** Reads of the identity graph: which profile an identifier belongs to, a profile's identifiers and history. */
@Controller('v1')
export class IdentitiesController {
  constructor(private readonly directory: IdentityDirectory) {}

  @Get('identities/:type/:value')
  @RequireScopes('identity:read')
  async lookup(@Param('type') type: string, @Param('value') value: string, @AuditTrail() audit: RequestAudit) {
    const found = await this.directory.lookup(type, value);
    // The caller sent a person's identifier: who looked whom up is on record, the value is not.
    await audit.record({ action: 'identity.lookup', resourceType: 'profile', resourceId: found.profileId, details: { type } });
    return found;
  }

  /** `{ identifiers: [{ type, value }] }` (at most 1,000) -> `{ results: [{ type, profileId, error? }] }`, in order. */
  @Post('identities/resolve')
  @HttpCode(200)
  @RequireScopes('identity:read')
  async resolveMany(@Body() body: unknown, @AuditTrail() audit: RequestAudit) {
    const items = (body as { identifiers?: unknown } | null)?.identifiers;
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BULK) {
      throw new IdentityError('INVALID_REQUEST', `identifiers: an array of 1 to ${MAX_BULK} { type, value } objects`, 422, { field: 'identifiers' });
    }
    const results = await this.directory.resolveMany(items.map((item) => (item && typeof item === 'object' ? (item as { type: unknown; value: unknown }) : { type: undefined, value: undefined })));
    await audit.record({ action: 'identity.resolve_many', resourceType: 'identifier', details: { count: items.length, found: results.filter((r) => r.profileId).length } });
    return { results };
  }

  @Get('profiles/:id')
  @RequireScopes('identity:read')
  profile(@Param('id') id: string) {
    return this.directory.profile(id);
  }

  @Get('profiles/:id/identifiers')
  @RequireScopes('identity:read')
  async identifiers(@Param('id') id: string, @Principal() principal: Principal, @AuditTrail() audit: RequestAudit) {
    const withValues = principal.scopes.includes('pii:read');
    const result = await this.directory.identifiers(id, withValues);
    if (withValues) {
      await audit.record({
        action: 'identity.read_identifiers',
        resourceType: 'profile',
        resourceId: result.profile.id,
        fields: [...new Set(result.identifiers.map((i) => i.type))],
      });
    }
    return result;
  }

  @Get('profiles/:id/history')
  @RequireScopes('identity:read')
  history(@Param('id') id: string, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.directory.history(id, pageSize(limit), cursor);
  }
}

// Within the default 100 KB JSON body limit at about 50 bytes per identifier.
const MAX_BULK = 1_000;

export function pageSize(raw: string | undefined, fallback = 50, max = 500): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new IdentityError('INVALID_REQUEST', `limit must be an integer from 1 to ${max}`, 400, { field: 'limit' });
  return n;
}
