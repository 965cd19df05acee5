import { Module } from '@nestjs/common';
import { SegmentBodyReader } from './api/segment-body.reader';
import { SegmentController } from './api/segment.controller';
import { SourcesController } from './api/sources.controller';
import { AdminTokenGuard } from './api/admin-token.guard';
import { DedupePruner } from './application/dedupe-pruner';
import { EventPublisher } from './application/event-publisher';
import { IngestionMetrics } from './application/ingestion.metrics';
import { SegmentIngestService } from './application/segment-ingest.service';
import { SourcesService } from './application/sources.service';
import { IMPORTS_CONTROLLERS, IMPORTS_PROVIDERS } from './imports/imports.module';
import { IngestProducer } from './kafka/ingest-producer';
import { ReceivedMessagesRepository } from './persistence/received-messages.repository';
import { SourcesRepository } from './persistence/sources.repository';

/** Ingestion's own controllers and providers; health, metrics and `GET /` come from the service kit. */
@Module({
  controllers: [SegmentController, SourcesController, ...IMPORTS_CONTROLLERS],
  providers: [
    SegmentBodyReader,
    AdminTokenGuard,
    SourcesRepository,
    ReceivedMessagesRepository,
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
