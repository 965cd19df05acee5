import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';

/** One consumed record, decoded, with its key, partition and headers. */
export interface ConsumedRecord<T> {
  key: string | null;
  partition: number;
  value: T;
  headers: Record<string, string>;
}

/** What a reader decodes values with (the platform's AvroSerde fits). */
export interface RecordDecoder {
  decode<T>(buffer: Buffer): Promise<{ value: T }>;
}

/** Everything a topic received since the reader started, decoded; tests wait for what they expect. */
export class TopicReader<T> {
  readonly records: ConsumedRecord<T>[] = [];
  /** Records without a value (a compacted topic's deletions of their key), in arrival order. */
  readonly tombstones: Array<Omit<ConsumedRecord<T>, 'value'>> = [];

  private constructor(private readonly consumer: Consumer) {}

  /** Reads `topic` from the beginning in a group of its own; resolves once the group has its partitions. */
  static async start<T>(kafka: Kafka, topic: string, decoder: RecordDecoder): Promise<TopicReader<T>> {
    const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const reader = new TopicReader<T>(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let joined!: () => void;
    const assigned = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[name] = String(value);
        const key = message.key?.toString('utf8') ?? null;
        if (message.value === null) {
          reader.tombstones.push({ key, partition, headers });
          return;
        }
        const decoded = await decoder.decode<T>(message.value);
        reader.records.push({ key, partition, value: decoded.value, headers });
      },
    });
    await assigned;
    return reader;
  }

  /** The records matching `filter` once there are at least `count` of them (polls; fails after the timeout). */
  async waitFor(filter: (value: T) => boolean, count = 1, timeoutMs = 20_000): Promise<ConsumedRecord<T>[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.records.filter((r) => filter(r.value));
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`expected ${count} matching record(s) on the topic within ${timeoutMs} ms, found ${found.length}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The tombstones of `key` once there are at least `count` of them (polls; fails after the timeout). */
  async waitForTombstone(key: string, count = 1, timeoutMs = 20_000): Promise<Array<Omit<ConsumedRecord<T>, 'value'>>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.tombstones.filter((t) => t.key === key);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`expected ${count} tombstone(s) of ${key} on the topic within ${timeoutMs} ms, found ${found.length}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
