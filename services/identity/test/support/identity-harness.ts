import { ingestedEventKey, type IngestedEvent, TOPICS } from '@cdp/contracts';
import { HARNESS_TIMEOUT_MS, startServiceHarness, type ServiceHarness } from '@cdp/service-kit/testing';
import { identityConfig, type IdentityConfig } from '../../src/config';
import { identityService } from '../../src/identity.definition';

export const SETUP_TIMEOUT_MS = HARNESS_TIMEOUT_MS;

const IDENTITY_TOPICS = [
  TOPICS.authTokens,
  TOPICS.ingestEvents,
  TOPICS.ingestDeadLetter,
  TOPICS.identityResolvedEvents,
  TOPICS.identityProfileMerged,
  TOPICS.identityMergeCapped,
  TOPICS.privacyErasureRequested,
  TOPICS.privacyErasureConfirmed,
];

/** An identity app (or several) in-process, with its own database and topic prefix. */
export interface IdentityHarness extends ServiceHarness<IdentityConfig> {
  /** Produces ingested events, keyed as ingestion keys them. */
  send(events: IngestedEvent[]): Promise<void>;
}

/**
 * `options.topicPrefix` points a new instance (with a database of its own) at the topics of an existing
 * harness, e.g. to replay them; those topics are then left for their owner to delete.
 */
export async function startIdentity(label: string, extraEnv: Record<string, string> = {}, options: { topicPrefix?: string } = {}): Promise<IdentityHarness> {
  const harness = await startServiceHarness({
    label,
    definition: identityService,
    config: identityConfig,
    topics: IDENTITY_TOPICS,
    consumed: [TOPICS.ingestEvents],
    env: extraEnv,
    topicPrefix: options.topicPrefix,
  });
  return {
    ...harness,
    send: (events) => harness.emit(events.map((value) => ({ topic: TOPICS.ingestEvents, key: ingestedEventKey(value), schema: 'cdp.ingest.IngestedEvent', value }))),
  };
}

let sequence = 0;

/** An ingested event as ingestion would produce it; `fields` override the defaults. */
export function ingested(fields: Partial<Omit<IngestedEvent, 'traits' | 'context' | 'properties'>> & { traits?: unknown; context?: unknown; properties?: unknown } = {}): IngestedEvent {
  sequence += 1;
  const json = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? {}));
  const timestamp = fields.timestamp ?? 1_767_225_600_000 + sequence * 1000;
  return {
    messageId: `it-${process.pid}-${Date.now()}-${sequence}`,
    type: 'track',
    event: 'Product Viewed',
    name: null,
    anonymousId: null,
    userId: null,
    previousId: null,
    groupId: null,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: timestamp,
    sourceId: 'src-web',
    channel: 'web',
    commerce: null,
    integrations: '{}',
    ...fields,
    timestamp,
    context: json(fields.context),
    traits: json(fields.traits),
    properties: json(fields.properties),
  };
}
