import { Module } from '@nestjs/common';
import { SecurityModule } from '@cdp/security';
import { SegmentBodyReader } from './api/segment-body.reader';
import { SegmentController } from './api/segment.controller';
import { SourcesController } from './api/sources.controller';
import { DedupePruner } from './application/dedupe-pruner';
import { EventPublisher } from './application/event-publisher';
import { IngestionMetrics } from './application/ingestion.metrics';
import { SegmentIngestService } from './application/segment-ingest.service';
import { SharedRateLimiter } from './application/rate-limiter';
import { SourcesService } from './application/sources.service';
import { IMPORTS_CONTROLLERS, IMPORTS_PROVIDERS } from './imports/imports.module';
import { IngestProducer } from './kafka/ingest-producer';
import { RateBucketsRepository } from './persistence/rate-buckets.repository';
import { ReceivedMessagesRepository } from './persistence/received-messages.repository';
import { SourcesRepository } from './persistence/sources.repository';

/**
 * Ingestion's own controllers and providers; health, metrics and `GET /` come from the service kit, and
 * the platform's bearer tokens, token API and audit log from the security module (the Segment and
 * import endpoints authenticate sources by write key instead).
 */
@Module({
  imports: [SecurityModule.forRoot()],
  controllers: [SegmentController, SourcesController, ...IMPORTS_CONTROLLERS],
  providers: [
    SegmentBodyReader,
    SourcesRepository,
    ReceivedMessagesRepository,
    RateBucketsRepository,
    { provide: SharedRateLimiter, inject: [RateBucketsRepository], useFactory: (buckets: RateBucketsRepository) => new SharedRateLimiter(buckets) },
    SourcesService,
    IngestProducer,
    EventPublisher,
    IngestionMetrics,
    SegmentIngestService,
    DedupePruner,
    ...IMPORTS_PROVIDERS,
  ],
})
export class IngestionModule {}
