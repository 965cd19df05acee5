import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Audited, Principal, RequireScopes } from '@cdp/security';
import { DataSource } from 'typeorm';
import { IdentityError } from '../application/identity.error';
import { SplitService } from '../application/split.service';
import { IdentityQueries } from '../persistence/identity-queries';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Merges as recorded, and undoing one. */
@Controller('v1/merges')
export class MergesController {
  constructor(
    private readonly splits: SplitService,
    private readonly queries: IdentityQueries,
    private readonly dataSource: DataSource,
  ) {}

  @Get(':id')
  @RequireScopes('identity:read')
  async get(@Param('id') id: string) {
    const merge = UUID.test(id) ? await this.queries.merge({ query: async <R>(sql: string, params?: unknown[]) => (await this.dataSource.query(sql, params)) as R[] }, id) : undefined;
    if (!merge) throw new IdentityError('MERGE_NOT_FOUND', `no merge ${id.slice(0, 64)}`, 404);
    return {
      id: merge.id,
      survivorProfileId: merge.survivor_id,
      mergedProfileIds: merge.merged_ids,
      rule: merge.rule,
      sourceEventId: merge.event_id,
      occurredAt: merge.occurred_at.toISOString(),
      recordedAt: merge.created_at.toISOString(),
      undoneBy: merge.undone_by,
    };
  }

  @Post(':id/split')
  @HttpCode(200)
  @RequireScopes('identity:admin')
  @Audited('identity.split', { resourceType: 'merge' })
  split(@Param('id') id: string, @Body() body: unknown, @Principal() principal: Principal) {
    if (!UUID.test(id)) throw new IdentityError('MERGE_NOT_FOUND', `no merge ${id.slice(0, 64)}`, 404);
    const reason = (body as { reason?: unknown } | null)?.reason;
    if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 500) {
      throw new IdentityError('INVALID_REQUEST', 'reason: say why the merge is undone (1 to 500 characters)', 422, { field: 'reason' });
    }
    return this.splits.split(id.toLowerCase(), { reason: reason.trim(), requestedBy: `${principal.name} (${principal.tokenId})` });
  }
}
