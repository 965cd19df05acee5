import { Kafka, logLevel } from 'kafkajs';
import { currentRunId, randomSuffix, sanitizeLabel } from '../run-id';
import { TestingError } from '../testing.error';

/** Every prefix this harness hands out starts so; deleteTopicsWithPrefix refuses anything else. */
export const TEST_TOPIC_PREFIX_START = 't-';

/**
 * `t-<runId>-<label>-<rand>.`: prepend to a topic name (`prefix + 'cdp.ingest.events'`) so each
 * test gets its own topics on a shared broker and a run's leftovers are easy to find.
 */
export function uniqueTopicPrefix(label?: string): string {
  const clean = label ? sanitizeLabel(label, '-', 24) : '';
  return `${TEST_TOPIC_PREFIX_START}${currentRunId()}-${clean ? `${clean}-` : ''}${randomSuffix(6)}.`;
}

export function assertTestTopicPrefix(prefix: string): void {
  if (!prefix.startsWith(TEST_TOPIC_PREFIX_START) || prefix.length <= TEST_TOPIC_PREFIX_START.length + 1) {
    throw new TestingError('UNSAFE_TOPIC_PREFIX', `refusing to delete topics with prefix "${prefix}": not a test topic prefix (t-...)`);
  }
}

export async function deleteTopicsWithPrefix(brokers: string[], prefix: string): Promise<void> {
  assertTestTopicPrefix(prefix);
  const admin = new Kafka({ clientId: 'cdp-testing', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}
