import { Body, Controller, Get, HttpCode, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { parseCreateSource } from '../application/source-input';
import { SourcesService, type SourceView, type SourceWithKey } from '../application/sources.service';
import { AdminTokenGuard } from './admin-token.guard';
import { IngestionProblemFilter } from './ingestion-problem.filter';

/** Management of sources and their write keys; a write key is shown only in the answers to create and rotate. */
@Controller('v1/sources')
@UseGuards(AdminTokenGuard)
@UseFilters(IngestionProblemFilter)
export class SourcesController {
  constructor(private readonly sources: SourcesService) {}

  @Post()
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
  rotateKey(@Param('id') id: string): Promise<SourceWithKey> {
    return this.sources.rotateKey(id);
  }

  @Post(':id/disable')
  @HttpCode(200)
  disable(@Param('id') id: string): Promise<SourceView> {
    return this.sources.setEnabled(id, false);
  }

  @Post(':id/enable')
  @HttpCode(200)
  enable(@Param('id') id: string): Promise<SourceView> {
    return this.sources.setEnabled(id, true);
  }
}
