import { Inject, Injectable } from '@nestjs/common';
import { AvroSerde, createSchemaRegistry } from '@cdp/avro';
import { encodeEvents, insertOutbox, type OutgoingEvent, type SqlExecutor } from '@cdp/kafka';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { IdentityConfig } from '../config';

/**
 * Events decided outside a Kafka batch (an operator's split) go through the same outbox as the
 * consumers' events: written in the caller's transaction, published by the service's relay.
 */
@Injectable()
export class IdentityOutbox {
  private readonly serde: AvroSerde;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: IdentityConfig) {
    this.serde = new AvroSerde(createSchemaRegistry({ url: config.kafka.schemaRegistryUrl }));
  }

  async emit(tx: SqlExecutor, events: readonly OutgoingEvent[]): Promise<void> {
    await insertOutbox(tx, this.config.database.schema, await encodeEvents(this.serde, events, this.config.kafka.topicPrefix));
  }
}
