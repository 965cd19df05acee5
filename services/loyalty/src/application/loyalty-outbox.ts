import { Inject, Injectable } from '@nestjs/common';
import { AvroSerde, createSchemaRegistry } from '@cdp/avro';
import { encodeEvents, insertOutbox, type OutgoingEvent, type SqlExecutor } from '@cdp/kafka';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { LoyaltyConfig } from '../config';

/**
 * Events decided outside a Kafka batch (redemptions, adjustments, due work) go through the same
 * outbox as the consumers' events: written in the caller's transaction, published by the relay.
 */
@Injectable()
export class LoyaltyOutbox {
  private readonly serde: AvroSerde;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: LoyaltyConfig) {
    this.serde = new AvroSerde(createSchemaRegistry({ url: config.kafka.schemaRegistryUrl }));
  }

  async emit(tx: SqlExecutor, events: readonly OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return;
    await insertOutbox(tx, this.config.database.schema, await encodeEvents(this.serde, events, this.config.kafka.topicPrefix));
  }
}
