import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { IngestedEvent, ResolvedEvent } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import type { Principal } from '@cdp/security';
import { INTERACTION_TYPES, isInteractionType } from '../domain';
import { ProfileReadRepository } from '../persistence/profile-read.repository';
import { OutboxWriter } from './outbox-writer';
import { ProfileError } from './profile.error';
import { type Clock, PROFILE_CLOCK } from './profile.tokens';

export interface LogInteraction {
  type: string;
  channel: string | null;
  occurredAt: number | null;
  summary: string | null;
  agent: string | null;
  satisfaction: number | null;
}

const FIELDS = new Set(['type', 'channel', 'occurredAt', 'summary', 'agent', 'satisfaction']);

/** Validates the body of `POST /v1/profiles/{id}/interactions`; every complaint names its field. */
export function parseLogInteraction(body: unknown): LogInteraction {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw ProfileError.invalid('body', 'expected a JSON object');
  const raw = body as Record<string, unknown>;
  const unknown = Object.keys(raw).find((k) => !FIELDS.has(k));
  if (unknown) throw ProfileError.invalid(unknown, `unknown field; expected ${[...FIELDS].join(', ')}`);
  if (typeof raw.type !== 'string' || !isInteractionType(raw.type)) throw ProfileError.invalid('type', `expected one of ${INTERACTION_TYPES.join(', ')}`);
  const text = (field: string, max: number) => {
    const value = raw[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw ProfileError.invalid(field, `expected a non-empty string of at most ${max} characters`);
    return value.trim();
  };
  const occurredAt = raw.occurredAt === undefined || raw.occurredAt === null ? null : typeof raw.occurredAt === 'string' ? Date.parse(raw.occurredAt) : NaN;
  if (occurredAt !== null && Number.isNaN(occurredAt)) throw ProfileError.invalid('occurredAt', 'expected an ISO 8601 instant');
  const satisfaction = raw.satisfaction ?? null;
  if (satisfaction !== null && (typeof satisfaction !== 'number' || !Number.isFinite(satisfaction) || satisfaction < 0 || satisfaction > 10)) {
    throw ProfileError.invalid('satisfaction', 'expected a number from 0 to 10');
  }
  return { type: raw.type, channel: text('channel', 64), occurredAt, summary: text('summary', 4000), agent: text('agent', 200), satisfaction: satisfaction as number | null };
}

/**
 * Interactions logged through the API travel like any other event: an `Interaction Logged` call
 * resolved to the live profile, on cdp.identity.resolved-events (through the outbox), so this
 * projection and every other consumer (analytics, segmentation, loyalty) see it the same way.
 */
@Injectable()
export class InteractionLogger {
  constructor(
    private readonly db: DataSource,
    private readonly reads: ProfileReadRepository,
    private readonly outbox: OutboxWriter,
    @Inject(PROFILE_CLOCK) private readonly clock: Clock,
  ) {}

  async log(id: string, input: LogInteraction, principal: Principal, requestId: string | null): Promise<{ id: string; profileId: string; status: 'accepted' }> {
    const live = await this.reads.liveOf(this.db, id);
    if (!('liveId' in live)) throw live.erased ? new ProfileError('PROFILE_ERASED', `profile ${id} was erased`, 410) : ProfileError.notFound(id);
    const now = this.clock();
    const messageId = randomUUID();
    const event: IngestedEvent = {
      messageId,
      type: 'track',
      event: 'Interaction Logged',
      name: null,
      anonymousId: null,
      userId: null,
      previousId: null,
      groupId: null,
      timestamp: input.occurredAt ?? now,
      originalTimestamp: input.occurredAt,
      sentAt: null,
      receivedAt: now,
      sourceId: 'profile-api',
      channel: input.channel,
      context: JSON.stringify({ loggedBy: { tokenId: principal.tokenId, name: principal.name } }),
      traits: '{}',
      properties: JSON.stringify({ type: input.type, channel: input.channel, summary: input.summary, agent: input.agent, satisfaction: input.satisfaction }),
      commerce: null,
      integrations: '{}',
    };
    const value: ResolvedEvent = {
      id: messageId,
      type: 'EventResolved',
      occurredAt: event.timestamp,
      data: { profileId: live.liveId, profileCreated: false, identifiers: [], event },
      metadata: { correlationId: requestId ?? messageId, causationId: requestId ?? messageId, producer: 'profile', schemaVersion: 1 },
    };
    await this.db.transaction((tx) => this.outbox.write(tx, [{ topic: TOPICS.identityResolvedEvents, key: live.liveId, schema: 'cdp.identity.ResolvedEvent', value }]));
    return { id: messageId, profileId: live.liveId, status: 'accepted' };
  }
}
