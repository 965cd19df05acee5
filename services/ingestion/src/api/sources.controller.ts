import { Body, Controller, Get, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { Audited, RequireScopes } from '@cdp/security';
import { parseCreateSource } from '../application/source-input';
import { SourcesService, type SourceView, type SourceWithKey } from '../application/sources.service';
import { IngestionProblemFilter } from './ingestion-problem.filter';

/**
 * Management of sources and their write keys, with a platform bearer token holding `sources:manage`
 * (admins and operators); every change is audited. A write key is shown only in the answers to create
 * and rotate, and never written to the audit log.
 */
@Controller('v1/sources')
@RequireScopes('sources:manage')
@UseFilters(IngestionProblemFilter)
export class SourcesController {
  constructor(private readonly sources: SourcesService) {}

  @Post()
  @Audited('sources.create', { resourceType: 'source' })
  create(@Body() body: unknown): Promise<SourceWithKey> {
    return this.sources.create(parseCreateSource(body));
  }

  @Get()
  list(): Promise<SourceView[]> {
    return this.sources.list();
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<SourceView> {
    return this.sources.get(id);
  }

  @Post(':id/rotate-key')
  @HttpCode(200)
  @Audited('sources.rotate_key', { resourceType: 'source' })
  rotateKey(@Param('id') id: string): Promise<SourceWithKey> {
    return this.sources.rotateKey(id);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @Audited('sources.disable', { resourceType: 'source' })
  disable(@Param('id') id: string): Promise<SourceView> {
    return this.sources.setEnabled(id, false);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @Audited('sources.enable', { resourceType: 'source' })
  enable(@Param('id') id: string): Promise<SourceView> {
    return this.sources.setEnabled(id, true);
  }
}
