import { TOPICS } from '@cdp/contracts';
import { topicConfig } from './topic-admin';
import { parseBrokers } from './kafka-client';

describe('topic creation settings', () => {
  it('creates registry topics with their partitions, retention and cleanup policy under the prefix', () => {
    expect(topicConfig(TOPICS.profileChanged, 't-1.')).toEqual({
      topic: 't-1.cdp.profile.changed',
      numPartitions: 12,
      replicationFactor: -1,
      configEntries: [
        { name: 'retention.ms', value: '-1' },
        { name: 'cleanup.policy', value: 'compact' },
      ],
    });
  });
});

describe('parseBrokers', () => {
  it('accepts the KAFKA_BROKERS comma-separated form', () => {
    expect(parseBrokers(' 127.0.0.1:9092, kafka-2:9093 ')).toEqual(['127.0.0.1:9092', 'kafka-2:9093']);
  });

  it('fails fast on a broker without a port', () => {
    expect(() => parseBrokers('localhost')).toThrow(/not host:port/);
    expect(() => parseBrokers('')).toThrow(/No Kafka brokers/);
  });
});
