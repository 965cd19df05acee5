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
        const decoded = await decoder.decode<T>(message.value!);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[name] = String(value);
        reader.records.push({ key: message.key?.toString('utf8') ?? null, partition, value: decoded.value, headers });
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

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
