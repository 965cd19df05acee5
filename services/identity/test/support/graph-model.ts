import {
  addLoadedProfile,
  type CompiledRules,
  emptyGraph,
  type EventToResolve,
  type GraphChange,
  type IdentityGraph,
  planSplit,
  resolveBatch,
  type ResolutionIds,
} from '../../src/domain';

/**
 * A reference model of the persisted identity graph, in memory: what Postgres holds, applied from the
 * resolver's changes the way the persistence layer applies them. Specs drive the pure domain through
 * it; integration tests compare the database with it.
 */
export class GraphModel {
  readonly identifiers = new Map<string, { id: string; type: string; owner: string; linkedSeq: number; via: readonly string[] }>();
  readonly profiles = new Map<string, { status: 'live' | 'merged'; mergedInto: string | null; firstSeen: number; mergeCount: number }>();
  readonly merges = new Map<string, { seq: number; survivorId: string; mergedIds: string[]; members: Array<{ profileId: string; identifierId: string }>; undone: boolean }>();
  readonly changes: GraphChange[] = [];
  private seq = 0;
  private nextIdentifierId = 1;

  constructor(
    private readonly rules: CompiledRules,
    readonly ids: ResolutionIds = sequentialIds(),
  ) {}

  /** The working graph for a batch: every profile owning one of the batch's refs. */
  snapshot(events: readonly EventToResolve[]): IdentityGraph {
    const graph = emptyGraph();
    const refs = new Set(events.flatMap((e) => e.identifiers.flatMap((i) => [i.ref, ...(i.alternatives ?? []).map((a) => a.ref)])));
    const owners = new Set([...refs].flatMap((ref) => {
      const owner = this.identifiers.get(ref)?.owner;
      return owner ? [owner] : [];
    }));
    for (const owner of owners) {
      const p = this.profiles.get(owner)!;
      const mine = [...this.identifiers].filter(([, i]) => i.owner === owner);
      const typeCounts = new Map<string, number>();
      for (const [, i] of mine) typeCounts.set(i.type, (typeCounts.get(i.type) ?? 0) + 1);
      addLoadedProfile(
        graph,
        { id: owner, firstSeen: p.firstSeen, mergeCount: p.mergeCount, identifierCount: mine.length, typeCounts },
        mine.map(([ref]) => ref).filter((ref) => refs.has(ref)),
      );
    }
    return graph;
  }

  resolve(events: readonly EventToResolve[]) {
    const result = resolveBatch(this.snapshot(events), events, this.rules, this.ids);
    for (const change of result.changes) this.apply(change);
    return result;
  }

  /** Undoes a merge; returns the identifiers moved per restored profile. */
  split(mergeId: string): Map<string, string[]> {
    const merge = this.merges.get(mergeId);
    if (!merge || merge.undone) throw new Error(`merge ${mergeId} cannot be split`);
    const holder = this.liveOf(merge.survivorId);
    const held = [...this.identifiers].filter(([, i]) => i.owner === holder).map(([ref, i]) => ({ identifierId: i.id, ref, linkedSeq: i.linkedSeq, via: i.via }));
    const plan = planSplit({ mergeId, seq: merge.seq, mergedIds: merge.mergedIds }, merge.members, held);
    const byId = new Map([...this.identifiers].map(([ref, i]) => [i.id, ref]));
    const moved = new Map<string, string[]>();
    for (const move of plan.moves) {
      const p = this.profiles.get(move.profileId)!;
      p.status = 'live';
      p.mergedInto = null;
      this.profiles.get(holder)!.mergeCount -= p.mergeCount + 1;
      for (const id of move.identifierIds) this.identifiers.get(byId.get(id)!)!.owner = move.profileId;
      moved.set(move.profileId, move.identifierIds.map((id) => byId.get(id)!));
    }
    merge.undone = true;
    this.seq += 1;
    return moved;
  }

  liveOf(profileId: string): string {
    let id = profileId;
    for (let p = this.profiles.get(id); p?.mergedInto; p = this.profiles.get(id)) id = p.mergedInto;
    return id;
  }

  /** Live profile -> its refs, as sorted arrays (comparable with toEqual). */
  partition(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [ref, i] of this.identifiers) out.set(i.owner, [...(out.get(i.owner) ?? []), ref]);
    for (const refs of out.values()) refs.sort();
    return out;
  }

  /** The partition as a set of identifier groups, ignoring profile ids. */
  groups(): string[] {
    return [...this.partition().values()].map((refs) => refs.join(',')).sort();
  }

  private apply(change: GraphChange): void {
    this.changes.push(change);
    switch (change.kind) {
      case 'ProfileCreated':
        this.profiles.set(change.profileId, { status: 'live', mergedInto: null, firstSeen: change.occurredAt, mergeCount: 0 });
        return;
      case 'IdentifierLinked':
        this.seq += 1;
        this.identifiers.set(change.ref, { id: String(this.nextIdentifierId++), type: change.type, owner: change.profileId, linkedSeq: this.seq, via: change.via });
        return;
      case 'ProfilesMerged': {
        this.seq += 1;
        const members: Array<{ profileId: string; identifierId: string }> = [];
        for (const m of change.members) {
          for (const i of this.identifiers.values()) if (i.owner === m.profileId) members.push({ profileId: m.profileId, identifierId: i.id });
        }
        const survivor = this.profiles.get(change.survivorId)!;
        for (const mergedId of change.mergedIds) {
          const merged = this.profiles.get(mergedId)!;
          merged.status = 'merged';
          merged.mergedInto = change.survivorId;
          survivor.mergeCount += merged.mergeCount + 1;
          for (const i of this.identifiers.values()) if (i.owner === mergedId) i.owner = change.survivorId;
        }
        this.merges.set(change.mergeId, { seq: this.seq, survivorId: change.survivorId, mergedIds: [...change.mergedIds], members, undone: false });
        return;
      }
      case 'IdentifierDropped':
      case 'MergeCapped':
        return;
    }
  }
}

/** Ids p1, p2, ... and m1, m2, ... in the order asked for. */
export function sequentialIds(): ResolutionIds {
  let p = 0;
  let m = 0;
  return { profileId: () => `p${++p}`, mergeId: () => `m${++m}` };
}
