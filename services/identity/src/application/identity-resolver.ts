import { Injectable } from '@nestjs/common';
import type { Identifier, IngestedEvent, MergeCapped, ProfilesMerged, ResolvedEvent } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import { batchResult, type BatchResult, type ConsumedBatch, dlq, type MessageResult, type OutgoingEvent } from '@cdp/kafka';
import { extractIdentifiers, type EventToResolve, type GraphChange, resolveBatch, type SkippedIdentifier } from '../domain';
import { GraphRepository, type IdentifierKey, keyOf, type LinkDetails, refOf } from '../persistence/graph.repository';
import { RulesRepository } from '../persistence/rules.repository';
import { IdentifierVault } from './identifier-vault';
import { identityIds, uuidV5 } from './identity-ids';
import { IdentityMetrics } from './identity.metrics';

const PRODUCER = 'identity';

/**
 * Resolves one Kafka batch of ingested events in the batch's transaction: extract and hash the
 * identifiers, lock and load the part of the graph they touch, let the domain decide, write the
 * changes with set-based SQL, and queue the outgoing events (every event with its profile id,
 * merges, capped merges) in the outbox, all committed with the consumer's offsets.
 */
@Injectable()
export class IdentityResolver {
  constructor(
    private readonly rules: RulesRepository,
    private readonly graph: GraphRepository,
    private readonly vault: IdentifierVault,
    private readonly metrics: IdentityMetrics,
  ) {}

  async resolve(batch: ConsumedBatch<IngestedEvent>): Promise<BatchResult> {
    const { tx } = batch;
    const rules = await this.rules.current(tx);
    const verdicts: Array<[string, MessageResult]> = [];
    const events: EventToResolve[] = [];
    const byEvent = new Map<string, IngestedEvent>();
    /** ref -> plaintext identifier, for sealing new links and for the outgoing events. */
    const plain = new Map<string, Identifier>();
    const keys: IdentifierKey[] = [];
    const key = (type: string, value: string) => {
      const k = { type, hash: this.vault.hash(type, value) };
      const ref = refOf(k);
      if (!plain.has(ref)) {
        plain.set(ref, { type, value });
        keys.push(k);
      }
      return ref;
    };

    for (const message of batch.messages) {
      const event = message.value;
      const { identifiers, skipped } = extractIdentifiers(event, rules);
      this.metrics.skipped(skipped);
      if (identifiers.length === 0) {
        verdicts.push([message.eventId, dlq('NO_USABLE_IDENTIFIER', describeSkipped(skipped))]);
        continue;
      }
      byEvent.set(message.eventId, event);
      events.push({
        eventId: message.eventId,
        occurredAt: event.timestamp,
        identifiers: identifiers.map((id) => ({
          type: id.type,
          ref: key(id.type, id.value),
          alternatives: id.alternatives?.map((type) => ({ type, ref: key(type, id.value) })),
        })),
      });
    }
    this.metrics.deadLettered(verdicts.length);
    if (events.length === 0) return batchResult(verdicts);

    await this.graph.lockIdentifiers(tx, keys);
    const graph = await this.graph.loadGraph(tx, keys);
    const { resolutions, changes } = resolveBatch(graph, events, rules, identityIds);

    const linked = changes.filter((c): c is Extract<GraphChange, { kind: 'IdentifierLinked' }> => c.kind === 'IdentifierLinked');
    const sealed = await this.vault.seal(
      tx,
      linked.map((c) => ({ keySubject: c.profileId, type: c.type, hash: keyOf(c.ref).hash, value: plain.get(c.ref)!.value })),
    );
    const links = new Map<string, LinkDetails>();
    linked.forEach((c, i) => links.set(c.ref, { valueEnc: sealed[i], keySubject: c.profileId, sourceId: byEvent.get(c.eventId)!.sourceId }));

    const identifiersSeen = new Map<string, number>();
    const profilesSeen = new Map<string, number>();
    for (const r of resolutions) {
      const at = byEvent.get(r.eventId)!.timestamp;
      for (const id of r.identifiers) identifiersSeen.set(id.ref, Math.max(identifiersSeen.get(id.ref) ?? -Infinity, at));
      profilesSeen.set(r.profileId, Math.max(profilesSeen.get(r.profileId) ?? -Infinity, at));
    }
    await this.graph.write(tx, { changes, links, graph, identifiersSeen, profilesSeen });

    const outgoing: OutgoingEvent[] = resolutions.map((r) => {
      const event = byEvent.get(r.eventId)!;
      const value: ResolvedEvent = {
        id: r.eventId,
        type: 'EventResolved',
        occurredAt: event.timestamp,
        data: { profileId: r.profileId, profileCreated: r.profileCreated, identifiers: r.identifiers.map((id) => plain.get(id.ref)!), event },
        metadata: metadata(r.eventId),
      };
      return { topic: TOPICS.identityResolvedEvents, key: r.profileId, schema: 'cdp.identity.ResolvedEvent', value };
    });
    for (const change of changes) {
      if (change.kind === 'ProfilesMerged') {
        const value: ProfilesMerged = {
          id: change.mergeId,
          type: 'ProfilesMerged',
          occurredAt: change.occurredAt,
          data: {
            mergeId: change.mergeId,
            survivorProfileId: change.survivorId,
            mergedProfileIds: [...change.mergedIds],
            rule: change.rule,
            identifiers: change.via.map((ref) => plain.get(ref)!),
            sourceEventId: change.eventId,
          },
          metadata: metadata(change.eventId),
        };
        outgoing.push({ topic: TOPICS.identityProfileMerged, key: change.survivorId, schema: 'cdp.identity.ProfilesMerged', value });
      } else if (change.kind === 'MergeCapped') {
        const event = events.find((e) => e.eventId === change.eventId)!;
        const value: MergeCapped = {
          id: uuidV5(`merge-capped/${change.eventId}`),
          type: 'MergeCapped',
          occurredAt: change.occurredAt,
          data: {
            survivorProfileId: change.survivorId,
            profileIds: [...change.profileIds],
            cap: change.cap,
            wouldBe: change.wouldBe,
            limit: change.limit,
            identifiers: event.identifiers.filter((id) => graph.owners.has(id.ref)).map((id) => plain.get(id.ref)!),
            sourceEventId: change.eventId,
          },
          metadata: metadata(change.eventId),
        };
        outgoing.push({ topic: TOPICS.identityMergeCapped, key: change.survivorId, schema: 'cdp.identity.MergeCapped', value });
      }
    }
    batch.emit(...outgoing);
    this.metrics.resolved(resolutions.length, changes);
    return batchResult(verdicts);
  }
}

function metadata(eventId: string) {
  return { correlationId: eventId, causationId: eventId, producer: PRODUCER, schemaVersion: 1 };
}

function describeSkipped(skipped: readonly SkippedIdentifier[]): string {
  if (skipped.length === 0) return 'the event carries no identifier';
  return `every identifier of the event is unusable: ${skipped.map((s) => `${s.path} (${s.reason})`).join(', ')}`;
}
