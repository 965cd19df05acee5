import { Inject, Injectable } from '@nestjs/common';
import { AvroSerde, createSchemaRegistry } from '@cdp/avro';
import { encodeEvents, insertOutbox, type OutgoingEvent, type SqlExecutor } from '@cdp/kafka';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { ProfileConfig } from '../config';

/**
 * Events the HTTP API causes (logged interactions, erasures) go to the outbox in the transaction of
 * the change, like the consumers' events; the relay publishes them (within its polling interval).
 */
@Injectable()
export class OutboxWriter {
  private readonly serde: AvroSerde;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ProfileConfig) {
    this.serde = new AvroSerde(createSchemaRegistry({ url: config.kafka.schemaRegistryUrl }));
  }

  async write(tx: SqlExecutor, events: readonly OutgoingEvent[]): Promise<void> {
    await insertOutbox(tx, this.config.database.schema, await encodeEvents(this.serde, events, this.config.kafka.topicPrefix));
  }
}
