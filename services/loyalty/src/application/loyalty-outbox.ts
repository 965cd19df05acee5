import { Inject, Injectable } from '@nestjs/common';
import { AvroSerde, createSchemaRegistry } from '@cdp/avro';
import { type EncodedRecord, encodeEvents, type OutgoingEvent } from '@cdp/kafka';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { LoyaltyConfig } from '../config';

/**
 * Events decided outside a Kafka batch (redemptions, adjustments, due work) go through the same
 * outbox as the consumers' events: encoded here, written with the events that caused them (see
 * AccountRepository.append), published by the relay.
 */
@Injectable()
export class LoyaltyOutbox {
  private readonly serde: AvroSerde;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: LoyaltyConfig) {
    this.serde = new AvroSerde(createSchemaRegistry({ url: config.kafka.schemaRegistryUrl }));
  }

  /** Encodes events as outbox records (for `AccountSession.flush`, which queues them with the events). */
  encode = async (events: readonly OutgoingEvent[]): Promise<EncodedRecord[]> => (events.length === 0 ? [] : encodeEvents(this.serde, events, this.config.kafka.topicPrefix));

}
