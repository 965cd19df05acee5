import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EncodedRecord } from '@cdp/kafka';
import { IngestProducer } from '../kafka/ingest-producer';
import { ReceivedMessagesRepository } from '../persistence/received-messages.repository';
import { IngestionError } from './ingestion.error';

export interface PublishOutcome {
  produced: number;
  duplicates: number;
}

/**
 * Writes a request's events to Kafka exactly once per messageId. The ids are claimed in a Postgres
 * transaction that commits only after Kafka acknowledged the send: a failed send (or a crash)
 * leaves no claim behind, so the client's retry is not mistaken for a duplicate, and a concurrent
 * request with the same id waits for this one's outcome.
 */
@Injectable()
export class EventPublisher {
  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: IngestProducer,
    private readonly receivedMessages: ReceivedMessagesRepository,
  ) {}

  async publish(sourceId: string, receivedAt: number, events: readonly EncodedRecord[], deadLetters: readonly EncodedRecord[]): Promise<PublishOutcome> {
    if (events.length === 0 && deadLetters.length === 0) return { produced: 0, duplicates: 0 };
    // Fail fast (503) without holding a database connection while Kafka is away.
    await this.producer.ready();
    if (events.length === 0) {
      await this.producer.send(deadLetters);
      return { produced: 0, duplicates: 0 };
    }
    const unique = [...new Map(events.map((record) => [record.eventId, record] as const)).values()];
    try {
      return await this.dataSource.transaction(async (manager) => {
        const fresh = await this.receivedMessages.claim(manager, sourceId, unique.map((record) => record.eventId), new Date(receivedAt));
        const toSend = unique.filter((record) => fresh.has(record.eventId));
        await this.producer.send([...toSend, ...deadLetters]);
        return { produced: toSend.length, duplicates: events.length - toSend.length };
      });
    } catch (error) {
      if (error instanceof IngestionError) throw error;
      throw IngestionError.unavailable('DATABASE_UNAVAILABLE', 'messageIds cannot be deduplicated right now', error);
    }
  }
}
