import { Injectable } from '@nestjs/common';
import type { EncodedRecord } from '@cdp/kafka';
import { IngestProducer } from '../kafka/ingest-producer';
import { ReceivedMessagesRepository, type OpenClaim } from '../persistence/received-messages.repository';
import { IngestionError } from './ingestion.error';

export interface PublishOutcome {
  produced: number;
  duplicates: number;
}

/** Claims and sends of several requests go out together up to this many events (the producer's own cap). */
const MAX_DELIVERY_EVENTS = 5_000;
/**
 * Deliveries under way at once: one claiming in Postgres while the other waits for Kafka keeps both
 * busy; the producer sends one request at a time anyway, so more would only queue there.
 */
const DELIVERIES_IN_FLIGHT = 2;

/** One request's part of a delivery. */
interface PendingPublish {
  sourceId: string;
  receivedAt: number;
  /** The request's events, one per messageId. */
  events: readonly EncodedRecord[];
  /** How many events the request brought, repeats included. */
  submitted: number;
  deadLetters: readonly EncodedRecord[];
  resolve(outcome: PublishOutcome): void;
  reject(error: unknown): void;
}

/**
 * Writes events to Kafka exactly once per messageId. The ids are claimed in a Postgres transaction
 * that commits only after Kafka acknowledged the send: a failed send (or a crash) leaves no claim
 * behind, so the client's retry is not mistaken for a duplicate, and a concurrent request with the
 * same id waits for this one's outcome.
 *
 * Requests that arrive while deliveries are under way are delivered together: one claim statement
 * and one produce request for all of them, where each request would otherwise pay three Postgres
 * round trips and wait for a produce request of its own. A request is never split, and a delivery
 * succeeds or fails as a whole (every request in a failed one answers 503 and keeps nothing). An
 * idle service delivers a lone request at once: nothing waits for company.
 */
@Injectable()
export class EventPublisher {
  private readonly queue: PendingPublish[] = [];
  private inFlight = 0;

  constructor(
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
    return new Promise<PublishOutcome>((resolve, reject) => {
      this.queue.push({ sourceId, receivedAt, events: unique, submitted: events.length, deadLetters, resolve, reject });
      this.startDeliveries();
    });
  }

  private startDeliveries(): void {
    while (this.inFlight < DELIVERIES_IN_FLIGHT && this.queue.length > 0) {
      let count = 0;
      let take = 0;
      // At least one request per delivery, however large; then whole requests up to the cap.
      while (take < this.queue.length && (take === 0 || count + this.queue[take].events.length <= MAX_DELIVERY_EVENTS)) count += this.queue[take++].events.length;
      const delivery = this.queue.splice(0, take);
      this.inFlight++;
      void this.deliver(delivery).finally(() => {
        this.inFlight--;
        this.startDeliveries();
      });
    }
  }

  /** Never rejects: the outcome goes to each request of the delivery. */
  private async deliver(delivery: readonly PendingPublish[]): Promise<void> {
    // An id two requests of one delivery share belongs to the first, as if the second had waited for it.
    const owners = new Map<string, PendingPublish>();
    const sourceIds: string[] = [];
    let receivedAt = Infinity;
    for (const pending of delivery) {
      receivedAt = Math.min(receivedAt, pending.receivedAt);
      for (const record of pending.events) {
        if (owners.has(record.eventId)) continue;
        owners.set(record.eventId, pending);
        sourceIds.push(pending.sourceId);
      }
    }
    let claim: OpenClaim;
    try {
      claim = await this.receivedMessages.claim({ messageIds: [...owners.keys()], sourceIds }, new Date(receivedAt));
    } catch (error) {
      return failAll(delivery, unavailable(error));
    }
    const produced = new Map<PendingPublish, number>();
    const records: EncodedRecord[] = [];
    for (const pending of delivery) {
      let count = 0;
      for (const record of pending.events) {
        if (claim.duplicates.has(record.eventId) || owners.get(record.eventId) !== pending) continue;
        records.push(record);
        count++;
      }
      produced.set(pending, count);
    }
    for (const pending of delivery) records.push(...pending.deadLetters);
    try {
      if (records.length > 0) await this.producer.send(records);
    } catch (error) {
      await claim.rollback().catch(() => undefined);
      return failAll(delivery, error instanceof IngestionError ? error : unavailable(error));
    }
    try {
      await claim.commit();
    } catch (error) {
      // Kafka has the events; the client's retry produces them again and consumers drop the repeats.
      return failAll(delivery, unavailable(error));
    }
    for (const pending of delivery) {
      const count = produced.get(pending) ?? 0;
      pending.resolve({ produced: count, duplicates: pending.submitted - count });
    }
  }
}

function failAll(delivery: readonly PendingPublish[], error: unknown): void {
  for (const pending of delivery) pending.reject(error);
}

function unavailable(error: unknown): IngestionError {
  return IngestionError.unavailable('DATABASE_UNAVAILABLE', 'messageIds cannot be deduplicated right now', error);
}
