import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Audited, AuditTrail, Principal, RequireScopes, type RequestAudit } from '@cdp/security';
import { DownstreamClient } from '../application/downstream.client';
import { ErasureService, type ErasureReceipt } from '../application/erasure.service';
import { InteractionLogger, parseLogInteraction } from '../application/interaction-logger';
import { ProfileError } from '../application/profile.error';
import { ProfileReader, type ProfileDocument } from '../application/profile-reader';
import { parseSearchRequest, ProfileSearch } from '../application/profile-search';
import { SCHEMAS } from './openapi.schemas';
import { parseLimit, parseLookup, passThrough } from './request-parsing';

const ID = { name: 'id', description: 'A profile id; a merged profile id answers its live profile' };
const PAGE = [
  { name: 'limit', required: false, description: '1-200, default 50' },
  { name: 'cursor', required: false, description: 'nextCursor of the previous page' },
];

/** The unified customer view: reads, search, lookups, interactions, privacy. */
@ApiTags('profiles')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Missing, unknown, expired or revoked token (AUTH_TOKEN_*)' })
@ApiResponse({ status: 403, description: 'A scope or role is missing (AUTH_SCOPE_MISSING names it)' })
@Controller('v1/profiles')
export class ProfilesController {
  constructor(
    private readonly reader: ProfileReader,
    private readonly searcher: ProfileSearch,
    private readonly interactions: InteractionLogger,
    private readonly erasures: ErasureService,
    private readonly downstream: DownstreamClient,
  ) {}

  @Post('search')
  @HttpCode(200)
  @RequireScopes('profiles:read')
  @ApiOperation({ summary: 'Search live profiles by traits, computed traits and consents (no personal data in the answer)' })
  @ApiBody({ schema: SCHEMAS.searchRequest })
  @ApiResponse({ status: 200, schema: SCHEMAS.searchPage })
  @ApiResponse({ status: 422, description: 'INVALID_REQUEST, PII_NOT_SEARCHABLE, FILTER_NOT_SUPPORTED (tags, segments)' })
  search(@Body() body: unknown) {
    return this.searcher.search(parseSearchRequest(body));
  }

  @Get('lookup')
  @RequireScopes('profiles:read', 'pii:read')
  @ApiOperation({ summary: 'Find the live profile holding an identifier (blind index); answered like GET /v1/profiles/{id}' })
  @ApiQuery({ name: 'email', required: false })
  @ApiQuery({ name: 'phone', required: false, description: 'E.164' })
  @ApiQuery({ name: 'userId', required: false })
  @ApiQuery({ name: 'anonymousId', required: false })
  @ApiQuery({ name: 'memberCard', required: false })
  @ApiQuery({ name: 'type', required: false, description: 'any identifier type, with value' })
  @ApiQuery({ name: 'value', required: false })
  @ApiResponse({ status: 200, schema: SCHEMAS.profile })
  @ApiResponse({ status: 404, description: 'PROFILE_NOT_FOUND' })
  lookup(@Query() query: Record<string, unknown>, @Principal() principal: Principal, @AuditTrail() audit: RequestAudit) {
    const { type, value } = parseLookup(query);
    return this.reader.lookup(type, value, principal, audit);
  }

  @Get(':id')
  @RequireScopes('profiles:read')
  @ApiOperation({ summary: 'The unified profile; personal data only with pii:read (else withheld, and listed in pii.withheld)' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, schema: SCHEMAS.profile })
  @ApiResponse({ status: 404, description: 'PROFILE_NOT_FOUND' })
  @ApiResponse({ status: 410, description: 'PROFILE_ERASED' })
  get(@Param('id') id: string, @Principal() principal: Principal, @AuditTrail() audit: RequestAudit): Promise<ProfileDocument> {
    return this.reader.profile(id, principal, audit);
  }

  @Get(':id/traits')
  @RequireScopes('profiles:read')
  @ApiOperation({ summary: 'Every trait with the event time that set it, its origin profile and whether it is set-once' })
  @ApiParam(ID)
  traits(@Param('id') id: string, @Principal() principal: Principal, @AuditTrail() audit: RequestAudit) {
    return this.reader.traits(id, principal, audit);
  }

  @Get(':id/identifiers')
  @RequireScopes('profiles:read')
  @ApiOperation({ summary: 'The identifiers identity matched for the merge group (values with pii:read)' })
  @ApiParam(ID)
  identifiers(@Param('id') id: string, @Principal() principal: Principal, @AuditTrail() audit: RequestAudit) {
    return this.reader.identifiers(id, principal, audit);
  }

  @Get(':id/orders')
  @RequireScopes('profiles:read')
  @ApiOperation({ summary: 'Orders with their items, newest first' })
  @ApiParam(ID)
  @ApiQuery(PAGE[0]!)
  @ApiQuery(PAGE[1]!)
  orders(@Param('id') id: string, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.reader.orders(id, parseLimit(limit), cursor);
  }

  @Get(':id/interactions')
  @RequireScopes('profiles:read')
  @ApiOperation({ summary: 'Interactions (calls, chats, emails, store visits, complaints, feedback), newest first; summaries with pii:read' })
  @ApiParam(ID)
  @ApiQuery(PAGE[0]!)
  @ApiQuery(PAGE[1]!)
  listInteractions(@Param('id') id: string, @Principal() principal: Principal, @AuditTrail() audit: RequestAudit, @Query('limit') limit?: string, @Query('cursor') cursor?: string) {
    return this.reader.interactions(id, parseLimit(limit), cursor, principal, audit);
  }

  @Post(':id/interactions')
  @HttpCode(202)
  @RequireScopes('profiles:write')
  @Audited('profiles.log_interaction', { resourceType: 'profile' })
  @ApiOperation({ summary: 'Log an interaction; it travels as an Interaction Logged event and appears once projected' })
  @ApiParam(ID)
  @ApiBody({ schema: SCHEMAS.interaction })
  @ApiResponse({ status: 202, schema: SCHEMAS.accepted })
  logInteraction(@Param('id') id: string, @Body() body: unknown, @Principal() principal: Principal, @AuditTrail() audit: RequestAudit) {
    return this.interactions.log(id, parseLogInteraction(body), principal, audit.client.requestId);
  }

  @Get(':id/events')
  @RequireScopes('profiles:read')
  @ApiOperation({ summary: 'The behavioural timeline, from the analytics service (503 with available: false when it is not configured or down)' })
  @ApiParam(ID)
  @ApiQuery(PAGE[0]!)
  @ApiQuery(PAGE[1]!)
  async events(@Param('id') id: string, @Query() query: Record<string, unknown>, @Headers('authorization') authorization?: string) {
    const { liveId } = await this.reader.group(id);
    return this.downstream.get('analytics', `v1/profiles/${encodeURIComponent(liveId)}/events`, passThrough(query, ['limit', 'cursor', 'from', 'to', 'type', 'event']), authorization);
  }

  @Get(':id/segments')
  @RequireScopes('profiles:read', 'segments:read')
  @ApiOperation({ summary: 'Segments and tags of the profile, from the segmentation service' })
  @ApiParam(ID)
  async segments(@Param('id') id: string, @Headers('authorization') authorization?: string) {
    const { liveId } = await this.reader.group(id);
    return this.downstream.get('segmentation', `v1/profiles/${encodeURIComponent(liveId)}/segments`, {}, authorization);
  }

  @Get(':id/loyalty')
  @RequireScopes('profiles:read', 'loyalty:read')
  @ApiOperation({ summary: 'Loyalty membership, balance and tier, from the loyalty service' })
  @ApiParam(ID)
  async loyalty(@Param('id') id: string, @Headers('authorization') authorization?: string) {
    const { liveId } = await this.reader.group(id);
    return this.downstream.get('loyalty', `v1/profiles/${encodeURIComponent(liveId)}/loyalty`, {}, authorization);
  }

  @Post(':id/export')
  @HttpCode(200)
  @RequireScopes('privacy:export')
  @ApiOperation({ summary: 'Everything held about the person, as JSON (personal data decrypted; audited)' })
  @ApiParam(ID)
  export(@Param('id') id: string, @Principal() principal: Principal, @AuditTrail() audit: RequestAudit) {
    return this.reader.exportAll(id, principal, audit);
  }

  @Post(':id/erase')
  @HttpCode(202)
  @RequireScopes('privacy:erase')
  @Audited('profiles.erase', { resourceType: 'profile' })
  @ApiOperation({ summary: 'Erase the person: rows deleted and data keys shredded here, ErasureRequested for every other service; answers the receipt' })
  @ApiParam(ID)
  @ApiBody({ schema: SCHEMAS.eraseRequest, required: false })
  @ApiResponse({ status: 202, schema: SCHEMAS.receipt })
  erase(@Param('id') id: string, @Body() body: unknown, @Principal() principal: Principal): Promise<ErasureReceipt> {
    return this.erasures.erase(id, principal, parseReason(body));
  }
}

function parseReason(body: unknown): string | null {
  if (body === undefined || body === null || (typeof body === 'object' && Object.keys(body).length === 0)) return null;
  const reason = (body as { reason?: unknown }).reason;
  if (typeof body !== 'object' || Array.isArray(body) || Object.keys(body).some((k) => k !== 'reason') || (reason !== undefined && (typeof reason !== 'string' || reason.length > 500))) {
    throw ProfileError.invalid('reason', 'expected { reason?: string of at most 500 characters }');
  }
  return (reason as string | undefined) ?? null;
}
