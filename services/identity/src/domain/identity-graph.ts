/**
 * The part of the identity graph one batch of events touches, as the resolver works on it: who owns
 * each identifier the batch carries, and the live profiles they belong to. Identifiers appear only as
 * `ref`s (type plus blind index): the resolver never sees a plaintext value.
 *
 * `evolveGraph` applies the resolver's changes to this working copy so that later events of the same
 * batch see the effect of earlier ones; the persistence layer applies the same changes to Postgres.
 */

/** A live profile as the resolver needs it. */
export interface ProfileNode {
  readonly id: string;
  /** Event time of the profile's first event (epoch ms): the oldest profile survives a merge. */
  readonly firstSeen: number;
  /** Merges this profile has absorbed, counting those its absorbed profiles had absorbed. */
  mergeCount: number;
  identifierCount: number;
  /** Identifiers per type. */
  readonly typeCounts: Map<string, number>;
}

export interface IdentityGraph {
  /** ref -> live profile id, for every ref of the batch that the graph knows. */
  readonly owners: Map<string, string>;
  /** Live profiles (those owning a ref of the batch, and those created by it). */
  readonly profiles: Map<string, ProfileNode>;
  /** Profiles merged during this batch -> the profile they were merged into. */
  readonly mergedInto: Map<string, string>;
  /** Live profile -> the profiles merged into it during this batch (transitively). */
  readonly absorbed: Map<string, string[]>;
  /** Live profile -> refs of the batch it owns. */
  readonly refsOf: Map<string, Set<string>>;
}

/** A change to the graph, in the order it happened; the identity log records each one. */
export type GraphChange =
  | { readonly kind: 'ProfileCreated'; readonly profileId: string; readonly eventId: string; readonly occurredAt: number }
  | {
      readonly kind: 'IdentifierLinked';
      readonly profileId: string;
      readonly ref: string;
      readonly type: string;
      readonly eventId: string;
      readonly occurredAt: number;
      /** Refs of the same event the profile already owned: the evidence for the link. */
      readonly via: readonly string[];
    }
  | {
      readonly kind: 'ProfilesMerged';
      readonly mergeId: string;
      readonly survivorId: string;
      readonly mergedIds: readonly string[];
      /** Types of the identifiers that matched more than one profile, e.g. "email+user_id". */
      readonly rule: string;
      readonly eventId: string;
      readonly occurredAt: number;
      /** Refs of the event that matched the profiles. */
      readonly via: readonly string[];
      /**
       * For each merged profile, the profiles whose identifiers it held at the merge (itself and those
       * merged into it earlier in the batch): what undoing the merge gives back.
       */
      readonly members: ReadonlyArray<{ readonly profileId: string; readonly origins: readonly string[] }>;
    }
  | {
      readonly kind: 'IdentifierDropped';
      readonly ref: string;
      readonly type: string;
      readonly eventId: string;
      readonly occurredAt: number;
      readonly reason: 'limit' | 'identifier_cap';
      /** Which limit: the identifier type whose limit would break, or the cap. */
      readonly detail: string;
      /** The profile the event resolved to instead of linking it (filled in once known). */
      readonly profileIds: readonly string[];
    }
  | {
      readonly kind: 'MergeCapped';
      readonly eventId: string;
      readonly occurredAt: number;
      readonly survivorId: string;
      readonly profileIds: readonly string[];
      readonly cap: 'merges' | 'identifiers';
      readonly wouldBe: number;
      readonly limit: number;
    };

export function emptyGraph(): IdentityGraph {
  return { owners: new Map(), profiles: new Map(), mergedInto: new Map(), absorbed: new Map(), refsOf: new Map() };
}

/** Adds a loaded profile and the refs it owns (persistence builds the graph with this). */
export function addLoadedProfile(graph: IdentityGraph, node: ProfileNode, refs: Iterable<string>): void {
  graph.profiles.set(node.id, node);
  const owned = graph.refsOf.get(node.id) ?? new Set<string>();
  for (const ref of refs) {
    graph.owners.set(ref, node.id);
    owned.add(ref);
  }
  graph.refsOf.set(node.id, owned);
}

/** The profile a (possibly merged during this batch) profile id now is. */
export function liveProfileOf(graph: IdentityGraph, profileId: string): string {
  let id = profileId;
  for (let next = graph.mergedInto.get(id); next !== undefined; next = graph.mergedInto.get(id)) id = next;
  return id;
}

/** Applies one change to the working graph (mutates it: the graph is the batch's own working copy). */
export function evolveGraph(graph: IdentityGraph, change: GraphChange): void {
  switch (change.kind) {
    case 'ProfileCreated':
      graph.profiles.set(change.profileId, {
        id: change.profileId,
        firstSeen: change.occurredAt,
        mergeCount: 0,
        identifierCount: 0,
        typeCounts: new Map(),
      });
      graph.refsOf.set(change.profileId, new Set());
      return;
    case 'IdentifierLinked': {
      const node = requireProfile(graph, change.profileId);
      graph.owners.set(change.ref, node.id);
      graph.refsOf.get(node.id)!.add(change.ref);
      node.identifierCount += 1;
      node.typeCounts.set(change.type, (node.typeCounts.get(change.type) ?? 0) + 1);
      return;
    }
    case 'ProfilesMerged': {
      const survivor = requireProfile(graph, change.survivorId);
      const survivorRefs = graph.refsOf.get(survivor.id)!;
      const absorbed = graph.absorbed.get(survivor.id) ?? [];
      for (const mergedId of change.mergedIds) {
        const merged = requireProfile(graph, mergedId);
        for (const ref of graph.refsOf.get(mergedId) ?? []) {
          graph.owners.set(ref, survivor.id);
          survivorRefs.add(ref);
        }
        survivor.identifierCount += merged.identifierCount;
        survivor.mergeCount += merged.mergeCount + 1;
        for (const [type, n] of merged.typeCounts) survivor.typeCounts.set(type, (survivor.typeCounts.get(type) ?? 0) + n);
        absorbed.push(mergedId, ...(graph.absorbed.get(mergedId) ?? []));
        graph.absorbed.delete(mergedId);
        graph.refsOf.delete(mergedId);
        graph.profiles.delete(mergedId);
        graph.mergedInto.set(mergedId, survivor.id);
      }
      graph.absorbed.set(survivor.id, absorbed);
      return;
    }
    case 'IdentifierDropped':
    case 'MergeCapped':
      return;
    default: {
      const unreachable: never = change;
      throw new RangeError(`unhandled graph change ${JSON.stringify(unreachable)}`);
    }
  }
}

function requireProfile(graph: IdentityGraph, id: string): ProfileNode {
  const node = graph.profiles.get(id);
  // The resolver only ever names live profiles of the working graph: anything else is a bug.
  if (!node) throw new RangeError(`profile ${id} is not a live profile of the working graph`);
  return node;
}
