import { TestingError } from '../testing.error';
import { assertTestTopicPrefix, uniqueTopicPrefix } from './test-topics';

// Kafka's own rule for topic names.
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

describe('uniqueTopicPrefix', () => {
  beforeAll(() => {
    process.env.CDP_TEST_RUN_ID = 'run42abc';
  });

  it('builds t-<runId>-<label>-<rand>. so prefix + topic is a legal, unique topic name', () => {
    const prefix = uniqueTopicPrefix('ingest');
    expect(prefix).toMatch(/^t-run42abc-ingest-[a-z0-9]{6}\.$/);
    expect(prefix + 'cdp.ingest.events').toMatch(LEGAL_TOPIC);
    expect(uniqueTopicPrefix('ingest')).not.toBe(prefix);
  });

  it('sanitizes free-form labels into legal topic characters', () => {
    expect(uniqueTopicPrefix('Batch Consumer / crash!')).toMatch(/^t-run42abc-batch-consumer-crash-[a-z0-9]{6}\.$/);
  });

  it('omits the label part when none is given', () => {
    expect(uniqueTopicPrefix()).toMatch(/^t-run42abc-[a-z0-9]{6}\.$/);
  });

  it('is accepted by the delete guard', () => {
    expect(() => assertTestTopicPrefix(uniqueTopicPrefix('x'))).not.toThrow();
  });
});

describe('assertTestTopicPrefix', () => {
  it.each(['', 'cdp.', 't-', 'cdp.ingest.events'])('refuses "%s", which could match real topics', (prefix) => {
    expect(() => assertTestTopicPrefix(prefix)).toThrow(TestingError);
  });
});
