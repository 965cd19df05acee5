import { ALL_TOPICS, TOPICS, ingestedEventKey, topicByName, topicConfigEntries, topicName } from './topics';
import { findLatestSchema } from './schema-catalog';

describe('topic registry', () => {
  it('names each topic once', () => {
    const names = ALL_TOPICS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('covers every topic of the architecture', () => {
    expect(ALL_TOPICS.map((t) => t.name).sort()).toEqual([
      'cdp.auth.tokens',
      'cdp.identity.merge-capped',
      'cdp.identity.profile-merged',
      'cdp.identity.resolved-events',
      'cdp.ingest.deadletter',
      'cdp.ingest.events',
      'cdp.loyalty.ledger',
      'cdp.loyalty.notifications',
      'cdp.privacy.erasure-confirmed',
      'cdp.privacy.erasure-requested',
      'cdp.profile.changed',
      'cdp.segment.membership-changed',
    ]);
  });

  it('points every topic at committed schemas, principal schema first', () => {
    for (const topic of ALL_TOPICS) {
      expect(topic.valueSchemas[0]).toBe(topic.valueSchema);
      for (const name of topic.valueSchemas) expect(findLatestSchema(name)).toBeDefined();
    }
  });

  it('carries merges and splits on one topic so an undo never overtakes its merge', () => {
    expect(TOPICS.identityProfileMerged.valueSchemas).toEqual(['cdp.identity.ProfilesMerged', 'cdp.identity.ProfileSplit']);
  });

  it('prefixes names for isolated test runs and maps them back', () => {
    expect(topicName(TOPICS.ingestEvents)).toBe('cdp.ingest.events');
    expect(topicName('ingestEvents', 't-42.')).toBe('t-42.cdp.ingest.events');
    expect(topicByName('t-42.cdp.loyalty.ledger', 't-42.')).toBe(TOPICS.loyaltyLedger);
    expect(topicByName('cdp.loyalty.ledger', 't-42.')).toBeUndefined();
  });

  it('produces the topic configs Kafka needs at creation', () => {
    expect(topicConfigEntries(TOPICS.profileChanged)).toEqual([
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'retention.ms', value: '-1' },
    ]);
    expect(topicConfigEntries(TOPICS.ingestDeadLetter)).toContainEqual({ name: 'retention.ms', value: String(90 * 86_400_000) });
  });

  it('keys ingested events by customer (userId, else anonymousId, else messageId)', () => {
    expect(ingestedEventKey({ anonymousId: 'a-1', userId: 'u-1', messageId: 'm' })).toBe('u-1');
    expect(ingestedEventKey({ anonymousId: 'a-1', userId: null, messageId: 'm' })).toBe('a-1');
    expect(ingestedEventKey({ anonymousId: '', userId: null, messageId: 'm' })).toBe('m');
  });
});
