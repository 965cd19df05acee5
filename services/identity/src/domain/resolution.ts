import type { CompiledRules } from './identity-rules';
import { evolveGraph, type GraphChange, type IdentityGraph, liveProfileOf, type ProfileNode } from './identity-graph';

/** An identifier of an event as the resolver sees it: type and graph key, no plaintext. */
export interface EventIdentifier {
  readonly type: string;
  readonly ref: string;
  /** Other (type, ref) readings of the same value, tried first: the first one the graph knows wins. */
  readonly alternatives?: ReadonlyArray<{ readonly type: string; readonly ref: string }>;
}

export interface EventToResolve {
  readonly eventId: string;
  /** Event time (epoch ms). */
  readonly occurredAt: number;
  /** Normalised, unblocked identifiers in the order they were found (at least one). */
  readonly identifiers: readonly EventIdentifier[];
}

export interface EventResolution {
  readonly eventId: string;
  /** The profile the event belongs to once its batch is applied. */
  readonly profileId: string;
  /** True when this event created that profile. */
  readonly profileCreated: boolean;
  /** The identifiers the event was matched on, after drops (type and ref). */
  readonly identifiers: ReadonlyArray<{ readonly type: string; readonly ref: string }>;
}

/** Deterministic ids, so that replaying the input rebuilds the same graph. */
export interface ResolutionIds {
  profileId(eventId: string): string;
  mergeId(eventId: string): string;
}

export interface BatchResolution {
  readonly resolutions: EventResolution[];
  /** Every graph change, in order. */
  readonly changes: GraphChange[];
}

/**
 * Resolves a batch of events against the working graph, in order, so each event sees what the
 * earlier ones changed. The graph is updated in place. The rules, for each event:
 * 1. No identifier matches a profile: a new profile gets them all.
 * 2. One profile matches: the new identifiers are attached to it.
 * 3. Several match: they merge into the oldest (first seen, then id).
 * Unless a per-type limit would break (the event would leave a profile with more identifiers of a
 * type than the limit, and more than any matched profile already has): then the event's
 * lowest-priority identifier is dropped, the drop recorded, and matching retried. Merges beyond the
 * caps (merges or identifiers per profile) do not happen: the event resolves to the oldest matched
 * profile and a MergeCapped change says why.
 */
export function resolveBatch(graph: IdentityGraph, events: readonly EventToResolve[], rules: CompiledRules, ids: ResolutionIds): BatchResolution {
  const changes: GraphChange[] = [];
  const pending: Array<{ eventId: string; profileId: string; created: boolean; identifiers: EventResolution['identifiers'] }> = [];
  for (const event of events) {
    const decided = decideEvent(graph, event, rules, ids);
    for (const change of decided.changes) {
      evolveGraph(graph, change);
      changes.push(change);
    }
    pending.push({ eventId: event.eventId, profileId: decided.profileId, created: decided.created, identifiers: decided.identifiers });
  }
  // An event resolves to the profile its batch leaves live: a profile merged later in the same batch
  // never reaches anyone downstream (the batch commits as a whole).
  const resolutions = pending.map((p) => {
    const profileId = liveProfileOf(graph, p.profileId);
    return { eventId: p.eventId, profileId, profileCreated: p.created && profileId === p.profileId, identifiers: p.identifiers };
  });
  return { resolutions, changes };
}

interface Decision {
  profileId: string;
  created: boolean;
  identifiers: Array<{ type: string; ref: string }>;
  changes: GraphChange[];
}

/** What one event does to the graph (pure: reads the graph, returns the changes). */
export function decideEvent(graph: IdentityGraph, event: EventToResolve, rules: CompiledRules, ids: ResolutionIds): Decision {
  const { eventId, occurredAt } = event;
  const drops: Array<Extract<GraphChange, { kind: 'IdentifierDropped' }>> = [];
  const drop = (id: Chosen, reason: 'limit' | 'identifier_cap', detail: string) =>
    drops.push({ kind: 'IdentifierDropped', ref: id.ref, type: id.type, eventId, occurredAt, reason, detail, profileIds: [] });

  let chosen = chooseReadings(graph, event.identifiers, rules);
  if (chosen.length === 0) throw new RangeError(`event ${eventId} has no identifier to resolve on`);

  // More identifiers of one type than a profile may hold can never all link: keep the first ones.
  const perType = new Map<string, number>();
  chosen = chosen.filter((id) => {
    const n = (perType.get(id.type) ?? 0) + 1;
    perType.set(id.type, n);
    if (n <= id.limit) return true;
    drop(id, 'limit', id.type);
    return false;
  });

  for (;;) {
    const matched = matchedProfiles(graph, chosen);
    if (matched.length === 0) {
      const profileId = ids.profileId(eventId);
      const { kept, over } = strongestFirst(chosen, rules.document.caps.maxIdentifiersPerProfile);
      for (const id of over) drop(id, 'identifier_cap', 'maxIdentifiersPerProfile');
      const changes: GraphChange[] = [{ kind: 'ProfileCreated', profileId, eventId, occurredAt }];
      for (const id of kept) changes.push({ kind: 'IdentifierLinked', profileId, ref: id.ref, type: id.type, eventId, occurredAt, via: [] });
      return finish(profileId, true, kept, changes, drops);
    }

    const fresh = chosen.filter((id) => !graph.owners.has(id.ref));
    const breached = breachedType(matched, fresh, rules);
    if (breached !== null) {
      // Every matched profile is within its limits on its own, so a lone identifier never breaches:
      // the loop ends with at most chosen.length - 1 drops.
      const weakest = lowestPriority(chosen);
      drop(weakest, 'limit', breached);
      chosen = chosen.filter((id) => id !== weakest);
      continue;
    }

    const [survivor, ...others] = matched;
    const changes: GraphChange[] = [];
    let attachable = fresh;
    let merging = false;
    if (others.length > 0) {
      const capped = capBreach(survivor, others, rules);
      if (capped) {
        changes.push({
          kind: 'MergeCapped',
          eventId,
          occurredAt,
          survivorId: survivor.id,
          profileIds: matched.map((p) => p.id),
          ...capped,
        });
        // The event still belongs to someone: the oldest matched profile, taking only what fits it.
        attachable = fitting(survivor, fresh, rules, drop);
      } else {
        merging = true;
        const via = chosen.filter((id) => graph.owners.has(id.ref));
        changes.push({
          kind: 'ProfilesMerged',
          mergeId: ids.mergeId(eventId),
          survivorId: survivor.id,
          mergedIds: others.map((p) => p.id),
          rule: [...new Set(via.map((id) => id.type))].sort().join('+'),
          eventId,
          occurredAt,
          via: via.map((id) => id.ref),
          members: others.map((p) => ({ profileId: p.id, origins: [p.id, ...(graph.absorbed.get(p.id) ?? [])] })),
        });
      }
    }
    // After a merge the survivor owns everything the event matched; after a capped one, only its own.
    const ownedAfter = (id: Chosen) => {
      const owner = graph.owners.get(id.ref);
      return owner !== undefined && (merging || owner === survivor.id);
    };
    const via = chosen.filter(ownedAfter).map((id) => id.ref);
    const used = chosen.filter(ownedAfter);
    if (attachable.length > 0) {
      const identifierTotal = survivor.identifierCount + (merging ? others.reduce((sum, p) => sum + p.identifierCount, 0) : 0);
      const { kept, over } = strongestFirst(attachable, rules.document.caps.maxIdentifiersPerProfile - identifierTotal);
      for (const id of over) drop(id, 'identifier_cap', 'maxIdentifiersPerProfile');
      for (const id of kept) {
        changes.push({ kind: 'IdentifierLinked', profileId: survivor.id, ref: id.ref, type: id.type, eventId, occurredAt, via });
        used.push(id);
      }
    }
    return finish(survivor.id, false, used, changes, drops);
  }
}

interface Chosen {
  type: string;
  ref: string;
  limit: number;
  priority: number;
  /** Position in the event, for stable tie-breaking. */
  order: number;
}

function finish(
  profileId: string,
  created: boolean,
  used: Chosen[],
  changes: GraphChange[],
  drops: Array<Extract<GraphChange, { kind: 'IdentifierDropped' }>>,
): Decision {
  const dropped = drops.map((d) => ({ ...d, profileIds: [profileId] }));
  return { profileId, created, identifiers: used.map(({ type, ref }) => ({ type, ref })), changes: [...dropped, ...changes] };
}

/** Each identifier's reading (an alias's previousId may be a known user_id), with its type's rule. */
function chooseReadings(graph: IdentityGraph, identifiers: readonly EventIdentifier[], rules: CompiledRules): Chosen[] {
  const out: Chosen[] = [];
  const seen = new Set<string>();
  identifiers.forEach((id, order) => {
    const reading = id.alternatives?.find((alt) => graph.owners.has(alt.ref)) ?? id;
    const rule = rules.ruleOf(reading.type);
    if (!rule || seen.has(reading.ref)) return;
    seen.add(reading.ref);
    out.push({ type: reading.type, ref: reading.ref, limit: rule.limit, priority: rule.priority, order });
  });
  return out;
}

/** Live profiles owning any of the identifiers, oldest first. */
function matchedProfiles(graph: IdentityGraph, chosen: readonly Chosen[]): ProfileNode[] {
  const found = new Map<string, ProfileNode>();
  for (const id of chosen) {
    const owner = graph.owners.get(id.ref);
    if (owner !== undefined && !found.has(owner)) found.set(owner, graph.profiles.get(owner)!);
  }
  return [...found.values()].sort((a, b) => a.firstSeen - b.firstSeen || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The type whose limit linking would break, or null. A profile already over a limit (the rules were
 * tightened) is not a breach as long as the event does not add to the largest count.
 */
function breachedType(matched: readonly ProfileNode[], fresh: readonly Chosen[], rules: CompiledRules): string | null {
  const union = new Map<string, number>();
  const largest = new Map<string, number>();
  for (const p of matched) {
    for (const [type, n] of p.typeCounts) {
      union.set(type, (union.get(type) ?? 0) + n);
      largest.set(type, Math.max(largest.get(type) ?? 0, n));
    }
  }
  for (const id of fresh) union.set(id.type, (union.get(id.type) ?? 0) + 1);
  for (const [type, n] of union) {
    const limit = rules.ruleOf(type)?.limit ?? Infinity;
    if (n > limit && n > (largest.get(type) ?? 0)) return type;
  }
  return null;
}

/** The `room` strongest identifiers (priority, then order in the event), in event order, and the rest. */
function strongestFirst(ids: readonly Chosen[], room: number): { kept: Chosen[]; over: Chosen[] } {
  if (ids.length <= room) return { kept: [...ids], over: [] };
  const ranked = [...ids].sort((a, b) => b.priority - a.priority || a.order - b.order);
  const kept = new Set(ranked.slice(0, Math.max(0, room)));
  return { kept: ids.filter((id) => kept.has(id)), over: ids.filter((id) => !kept.has(id)) };
}

function lowestPriority(chosen: readonly Chosen[]): Chosen {
  // Lowest priority first; among equals, the one found last in the event.
  return chosen.reduce((weakest, id) => (id.priority < weakest.priority || (id.priority === weakest.priority && id.order > weakest.order) ? id : weakest));
}

/**
 * The cap a merge would break, or null. Identifiers the event itself brings beyond the identifier cap
 * are dropped rather than stopping the merge; the profiles' own identifiers together must fit.
 */
function capBreach(survivor: ProfileNode, others: readonly ProfileNode[], rules: CompiledRules): { cap: 'merges' | 'identifiers'; wouldBe: number; limit: number } | null {
  const { maxMergesPerProfile, maxIdentifiersPerProfile } = rules.document.caps;
  const merges = survivor.mergeCount + others.reduce((sum, p) => sum + p.mergeCount + 1, 0);
  if (merges > maxMergesPerProfile) return { cap: 'merges', wouldBe: merges, limit: maxMergesPerProfile };
  const identifiers = survivor.identifierCount + others.reduce((sum, p) => sum + p.identifierCount, 0);
  if (identifiers > maxIdentifiersPerProfile) return { cap: 'identifiers', wouldBe: identifiers, limit: maxIdentifiersPerProfile };
  return null;
}

/** The fresh identifiers that fit one profile's limits; the others are dropped. */
function fitting(profile: ProfileNode, fresh: readonly Chosen[], rules: CompiledRules, drop: (id: Chosen, reason: 'limit', detail: string) => void): Chosen[] {
  const counts = new Map(profile.typeCounts);
  return fresh.filter((id) => {
    const n = (counts.get(id.type) ?? 0) + 1;
    if (n > (rules.ruleOf(id.type)?.limit ?? Infinity)) {
      drop(id, 'limit', id.type);
      return false;
    }
    counts.set(id.type, n);
    return true;
  });
}
