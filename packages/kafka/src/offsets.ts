/**
 * Offset bookkeeping. Offsets are int64 carried as decimal strings (kafkajs's representation);
 * comparisons go through BigInt.
 */
export type Offset = string;

export function compareOffsets(a: Offset, b: Offset): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The offset to resume from after the given messages have been applied. */
export function nextOffsetAfter(messages: ReadonlyArray<{ offset: Offset }>): Offset {
  if (messages.length === 0) throw new RangeError('nextOffsetAfter needs at least one message');
  let max = BigInt(messages[0].offset);
  for (const m of messages) {
    const o = BigInt(m.offset);
    if (o > max) max = o;
  }
  return (max + 1n).toString();
}

/** Messages at or past the stored position; earlier ones were already applied and committed. */
export function unappliedMessages<M extends { offset: Offset }>(messages: readonly M[], storedNext: Offset | null): M[] {
  if (storedNext === null) return [...messages];
  const next = BigInt(storedNext);
  return messages.filter((m) => BigInt(m.offset) >= next);
}

/**
 * What to do with the first batch of a partition after an assignment. Postgres holds the truth;
 * kafkajs may already have fetched from Kafka's committed offset (a hint). A batch fetched from
 * at or before the stored position is fine (already-applied messages are filtered inside the
 * transaction). One fetched from beyond it would leave a gap, so it is dropped and the partition
 * sought back, once; after that seek whatever the broker returns is accepted (retention or
 * compaction may legitimately have removed the stored position).
 */
export type FirstBatchDecision = { action: 'process' } | { action: 'seek'; offset: Offset };

export function firstBatchDecision(input: {
  storedNext: Offset | null;
  fetchedOffset: Offset;
  alreadySought: boolean;
}): FirstBatchDecision {
  if (input.storedNext === null || input.alreadySought) return { action: 'process' };
  if (compareOffsets(input.fetchedOffset, input.storedNext) <= 0) return { action: 'process' };
  return { action: 'seek', offset: input.storedNext };
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

/** `{ topic: [partitions] }` (kafkajs's GROUP_JOIN memberAssignment) to a flat list. */
export function flattenAssignment(assignment: Record<string, readonly number[]>): TopicPartition[] {
  return Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
}
