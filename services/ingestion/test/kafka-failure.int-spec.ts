import { randomUUID } from 'node:crypto';
import { TOPICS, type IngestedEvent } from '@cdp/contracts';
import { ensureTopics } from '@cdp/kafka';
import { postSegment, SETUP_TIMEOUT_MS, startIngestion, TopicReader, type IngestionHarness } from './support/ingestion-harness';

/**
 * The send fails after the messageIds were claimed (the events topic vanished under a connected
 * producer): the claim must be rolled back with the request, so the retry is produced, not taken
 * for a duplicate.
 */
describe('ingestion when Kafka fails mid-request', () => {
  let h: IngestionHarness;

  beforeAll(async () => {
    h = await startIngestion('kafka-failure', { INGESTION_PRODUCE_TIMEOUT_MS: '1500' });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  it('answers 503, keeps no messageId, and produces the retry once Kafka is back', async () => {
    const source = await h.createSource();
    expect((await postSegment(h.url, '/v1/track', source.writeKey, { userId: 'warm-up', event: 'Connected' })).status).toBe(200);

    const admin = h.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [h.topic(TOPICS.ingestEvents)], timeout: 30_000 });
      const messageId = `m-${randomUUID()}`;
      const call = { batch: [{ type: 'track', userId: 'u-1', messageId, event: 'Order Completed', properties: { order_id: 'o-9', revenue: 9 } }] };
      const refused = await postSegment(h.url, '/v1/batch', source.writeKey, call);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).not.toBeNull();
      expect(await h.sql('SELECT 1 FROM ingestion.received_messages WHERE message_id = $1', [messageId])).toEqual([]);

      await ensureTopics(admin, [TOPICS.ingestEvents], h.prefix);
      const reader = await TopicReader.start<IngestedEvent>(h.kafka, h.topic(TOPICS.ingestEvents), h.serde);
      try {
        let retried = await postSegment(h.url, '/v1/batch', source.writeKey, call);
        // The producer may need a metadata refresh to see the re-created topic.
        for (let attempt = 0; retried.status === 503 && attempt < 5; attempt++) retried = await postSegment(h.url, '/v1/batch', source.writeKey, call);
        expect(retried.status).toBe(200);
        await reader.waitFor((e) => e.messageId === messageId);
        expect(await h.sql('SELECT 1 AS claimed FROM ingestion.received_messages WHERE message_id = $1', [messageId])).toEqual([{ claimed: 1 }]);
      } finally {
        await reader.stop();
      }
    } finally {
      await admin.disconnect();
    }
  });
});
