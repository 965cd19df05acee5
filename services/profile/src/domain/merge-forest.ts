/**
 * Merges and splits as the profile projection keeps them. Facts stay attributed to the profile an
 * event was resolved to (its origin); merges only link profiles: each merged profile points at the
 * profile it was merged into (a forest), and the root of a tree is the live profile whose unified view
 * covers the whole tree. Undoing a merge cuts the links that merge made, so the restored profiles get
 * back exactly the facts attributed to them, and any profiles merged into them earlier.
 *
 * Merges and splits arrive on a topic keyed by survivor while events arrive on another, in any
 * interleaving; the forest tolerates that: a split seen before its merge marks the merge undone so it
 * is never applied, a repeated merge changes nothing, and a merge that would close a cycle (its undo
 * not seen yet) wins over the older link it contradicts.
 */

export interface ForestNode {
  readonly profileId: string;
  /** The profile it was merged into; null for a live profile. */
  readonly parentId: string | null;
  /** The merge that made the link. */
  readonly mergeId: string | null;
}

export interface MergeRecord {
  readonly mergeId: string;
  /** Null when only a split undoing it has been seen so far. */
  readonly survivorId: string | null;
  readonly mergedIds: readonly string[];
  readonly applied: boolean;
  readonly undone: boolean;
}

export type ForestEvent =
  | { readonly kind: 'merged'; readonly mergeId: string; readonly survivorId: string; readonly mergedIds: readonly string[] }
  | { readonly kind: 'split'; readonly undoneMergeId: string | null; readonly profileId: string; readonly restoredIds: readonly string[] };

export type ForestOutcome =
  | { readonly kind: 'merged'; readonly linked: readonly string[] }
  | { readonly kind: 'split'; readonly detached: readonly string[] }
  | { readonly kind: 'ignored'; readonly reason: 'merge_already_applied' | 'merge_already_undone' | 'split_already_applied' };

/** A working copy of the part of the forest a batch touches (whole trees), changed in place. */
export class MergeForest {
  private readonly nodes = new Map<string, { parentId: string | null; mergeId: string | null }>();
  private readonly original = new Map<string, { parentId: string | null; mergeId: string | null } | null>();
  private readonly merges = new Map<string, MergeRecord>();
  private readonly touchedMerges = new Set<string>();

  constructor(nodes: Iterable<ForestNode>, merges: Iterable<MergeRecord> = []) {
    for (const n of nodes) {
      this.nodes.set(n.profileId, { parentId: n.parentId, mergeId: n.mergeId });
      this.original.set(n.profileId, { parentId: n.parentId, mergeId: n.mergeId });
    }
    for (const m of merges) this.merges.set(m.mergeId, m);
  }

  apply(event: ForestEvent): ForestOutcome {
    switch (event.kind) {
      case 'merged':
        return this.merge(event);
      case 'split':
        return this.split(event);
      default: {
        const unreachable: never = event;
        throw new Error(`unknown forest event ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** The live profile of `profileId` (itself when it is live or unknown). */
  rootOf(profileId: string): string {
    let current = profileId;
    for (let hops = 0; hops <= this.nodes.size; hops++) {
      const parent = this.nodes.get(current)?.parentId ?? null;
      if (parent === null) return current;
      current = parent;
    }
    throw new Error(`merge forest has a cycle through ${profileId}`);
  }

  has(profileId: string): boolean {
    return this.nodes.has(profileId);
  }

  ids(): string[] {
    return [...this.nodes.keys()];
  }

  /** Nodes that are new or whose link changed. */
  changedNodes(): ForestNode[] {
    const out: ForestNode[] = [];
    for (const [profileId, node] of this.nodes) {
      const before = this.original.get(profileId);
      if (!before || before.parentId !== node.parentId || before.mergeId !== node.mergeId) out.push({ profileId, ...node });
    }
    return out;
  }

  /** Ids whose node did not exist before this working copy created it. */
  createdIds(): string[] {
    return [...this.nodes.keys()].filter((id) => !this.original.has(id) || this.original.get(id) === null);
  }

  changedMerges(): MergeRecord[] {
    return [...this.touchedMerges].map((id) => this.merges.get(id)!);
  }

  private ensure(profileId: string): void {
    if (this.nodes.has(profileId)) return;
    this.nodes.set(profileId, { parentId: null, mergeId: null });
    if (!this.original.has(profileId)) this.original.set(profileId, null);
  }

  private record(record: MergeRecord): void {
    this.merges.set(record.mergeId, record);
    this.touchedMerges.add(record.mergeId);
  }

  private merge(event: Extract<ForestEvent, { kind: 'merged' }>): ForestOutcome {
    const known = this.merges.get(event.mergeId);
    if (known?.applied) return { kind: 'ignored', reason: 'merge_already_applied' };
    const record: MergeRecord = { mergeId: event.mergeId, survivorId: event.survivorId, mergedIds: [...event.mergedIds], applied: !known?.undone, undone: known?.undone ?? false };
    this.record(record);
    this.ensure(event.survivorId);
    for (const id of event.mergedIds) this.ensure(id);
    if (known?.undone) return { kind: 'ignored', reason: 'merge_already_undone' };
    const linked: string[] = [];
    for (const merged of event.mergedIds) {
      if (merged === event.survivorId) continue;
      this.cutPathTo(event.survivorId, merged);
      const node = this.nodes.get(merged)!;
      if (node.parentId === event.survivorId && node.mergeId === event.mergeId) continue;
      this.nodes.set(merged, { parentId: event.survivorId, mergeId: event.mergeId });
      linked.push(merged);
    }
    return { kind: 'merged', linked };
  }

  /** When `ancestor` is above `from`, cuts the link just below it, so linking `ancestor` under `from` closes no cycle. */
  private cutPathTo(from: string, ancestor: string): void {
    let current = from;
    for (let hops = 0; hops <= this.nodes.size; hops++) {
      const node = this.nodes.get(current);
      if (!node || node.parentId === null) return;
      if (node.parentId === ancestor) {
        this.nodes.set(current, { parentId: null, mergeId: null });
        return;
      }
      current = node.parentId;
    }
  }

  private split(event: Extract<ForestEvent, { kind: 'split' }>): ForestOutcome {
    for (const id of [event.profileId, ...event.restoredIds]) this.ensure(id);
    const detached: string[] = [];
    if (event.undoneMergeId !== null) {
      const known = this.merges.get(event.undoneMergeId);
      if (known?.undone) return { kind: 'ignored', reason: 'split_already_applied' };
      this.record({ mergeId: event.undoneMergeId, survivorId: known?.survivorId ?? null, mergedIds: known?.mergedIds ?? [], applied: known?.applied ?? false, undone: true });
      for (const id of event.restoredIds) {
        const node = this.nodes.get(id)!;
        if (node.mergeId !== event.undoneMergeId) continue;
        this.nodes.set(id, { parentId: null, mergeId: null });
        detached.push(id);
      }
      return { kind: 'split', detached };
    }
    for (const id of event.restoredIds) {
      const node = this.nodes.get(id)!;
      if (node.parentId === null) continue;
      this.nodes.set(id, { parentId: null, mergeId: null });
      detached.push(id);
    }
    return { kind: 'split', detached };
  }
}
