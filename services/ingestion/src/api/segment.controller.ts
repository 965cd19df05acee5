import { Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import type { SegmentRequest } from '../application/segment-payload';
import { SegmentIngestService, type BatchSuccess, type SegmentSuccess } from '../application/segment-ingest.service';
import { IngestionProblemFilter } from './ingestion-problem.filter';
import { SegmentCall } from './segment-request.decorator';

/** Segment's HTTP Tracking API: same paths, auth, limits and answers, so Segment's libraries work unchanged. */
@Controller('v1')
@UseFilters(IngestionProblemFilter)
export class SegmentController {
  constructor(private readonly ingest: SegmentIngestService) {}

  @Post('track')
  @HttpCode(200)
  track(@SegmentCall() call: SegmentRequest): Promise<SegmentSuccess> {
    return this.ingest.single('track', call);
  }

  @Post('identify')
  @HttpCode(200)
  identify(@SegmentCall() call: SegmentRequest): Promise<SegmentSuccess> {
    return this.ingest.single('identify', call);
  }

  @Post('page')
  @HttpCode(200)
  page(@SegmentCall() call: SegmentRequest): Promise<SegmentSuccess> {
    return this.ingest.single('page', call);
  }

  @Post('screen')
  @HttpCode(200)
  screen(@SegmentCall() call: SegmentRequest): Promise<SegmentSuccess> {
    return this.ingest.single('screen', call);
  }

  @Post('group')
  @HttpCode(200)
  group(@SegmentCall() call: SegmentRequest): Promise<SegmentSuccess> {
    return this.ingest.single('group', call);
  }

  @Post('alias')
  @HttpCode(200)
  alias(@SegmentCall() call: SegmentRequest): Promise<SegmentSuccess> {
    return this.ingest.single('alias', call);
  }

  @Post('batch')
  @HttpCode(200)
  batch(@SegmentCall() call: SegmentRequest): Promise<BatchSuccess> {
    return this.ingest.batch(call);
  }

  /** Segment's endpoint for historical data: a batch whose timestamps may lie far in the past. */
  @Post('import')
  @HttpCode(200)
  import(@SegmentCall() call: SegmentRequest): Promise<BatchSuccess> {
    return this.ingest.batch(call);
  }
}
