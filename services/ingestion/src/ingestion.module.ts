import { Module } from '@nestjs/common';

/** Ingestion's own controllers, consumers and providers; health, metrics and `GET /` come from the service kit. */
@Module({})
export class IngestionModule {}
