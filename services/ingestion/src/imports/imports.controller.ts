import { Controller, Get, Headers, HttpCode, Param, Post, Query, Req, StreamableFile, UseFilters } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { ImportJobView } from './import-jobs.repository';
import { ImportsProblemFilter } from './imports-problem.filter';
import { ImportsService } from './imports.service';

/** File imports (CSV/NDJSON) as jobs; the write key's source is the uploader and may read only its own jobs. */
@Controller('v1/imports')
@UseFilters(ImportsProblemFilter)
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  /** Answers when the whole file has been processed, with the job's summary. */
  @Post()
  @HttpCode(200)
  upload(@Req() request: IncomingMessage): Promise<ImportJobView> {
    return this.imports.import(request);
  }

  @Get(':id')
  status(@Headers('authorization') authorization: string | undefined, @Param('id') id: string): Promise<ImportJobView> {
    return this.imports.status(authorization, id);
  }

  @Get(':id/rejections')
  rejections(@Headers('authorization') authorization: string | undefined, @Param('id') id: string, @Query('format') format: string | undefined): Promise<StreamableFile> {
    return this.imports.rejections(authorization, id, format);
  }
}
