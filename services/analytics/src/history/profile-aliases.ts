import type { ProfileSplit, ProfilesMerged } from '@cdp/contracts';

/** One row of `profile_aliases`: where the history resolved to `profileId` belongs now. */
export interface AliasRow {
  profileId: string;
  /** The end of the parent chain: the profile the history is attributed to (itself when not merged). */
  canonicalProfileId: string;
  /** The survivor it was merged into directly; '' when it is its own profile. */
  parentProfileId: string;
  /** The merge that set the parent; '' when none. */
  mergeId: string;
  version: number;
  /** Id of the ProfilesMerged / ProfileSplit that produced the row. */
  changedBy: string;
  /** Epoch ms of that event. */
  changedAt: number;
}

export type IdentityChange = ProfilesMerged | ProfileSplit;

/**
 * Profiles whose current rows `aliasChanges` needs: each profile a change names, and (loaded by
 * the caller) every profile attributed to one of them or to the same canonical profile as one of
 * them (a split may name a profile other than the root of the tree it cuts).
 */
export function profilesInvolved(changes: readonly IdentityChange[]): string[] {
  const ids = new Set<string>();
  for (const change of changes) {
    switch (change.type) {
      case 'ProfilesMerged':
        ids.add(change.data.survivorProfileId);
        for (const id of change.data.mergedProfileIds) ids.add(id);
        break;
      case 'ProfileSplit':
        ids.add(change.data.profileId);
        for (const id of change.data.restoredProfileIds) ids.add(id);
        break;
      default: {
        const unknown: never = change;
        throw new RangeError(`unknown identity change ${JSON.stringify(unknown)}`);
      }
    }
  }
  return [...ids];
}

interface Node {
  parent: string;
  mergeId: string;
  /** The change that set this node's parent, when one in the batch did. */
  cause?: IdentityChange;
}

/**
 * The alias rows that change when `changes` (in order) are applied to the `loaded` rows, which
 * must hold the rows of profilesInvolved(changes) and every row whose canonical profile is one of
 * them or one of their canonical profiles.
 *
 * The rows keep a forest of merges: a merge makes each merged profile a child of the survivor; a
 * split makes each restored profile a root again, taking along what had been merged into it. A
 * profile's canonical profile is the root of its tree, written flat so reads need one lookup. A
 * survivor that was itself inside the tree of one of the profiles it absorbs is taken out of that
 * tree first (the merge names the survivor, so the survivor is what stays on top, and no chain
 * ever loops).
 *
 * Versions only grow: a changed row gets the later of the batch's latest event time and one more
 * than the version it replaces, so that a merge processed late (the topic is ordered per survivor,
 * not across survivors) still replaces what it read.
 */
export function aliasChanges(loaded: readonly AliasRow[], changes: readonly IdentityChange[]): AliasRow[] {
  if (changes.length === 0) return [];
  const before = new Map(loaded.map((row) => [row.profileId, row]));
  const nodes = new Map<string, Node>(loaded.map((row) => [row.profileId, { parent: row.parentProfileId, mergeId: row.mergeId }]));
  const parentOf = (id: string) => nodes.get(id)?.parent ?? '';
  /** The profile and its ancestors, nearest first; the last one is the root. */
  const chainOf = (id: string): string[] => {
    const chain = [id];
    const seen = new Set(chain);
    for (let parent = parentOf(id); parent !== '' && !seen.has(parent); parent = parentOf(parent)) {
      chain.push(parent);
      seen.add(parent);
    }
    return chain;
  };
  const rootOf = (id: string): string => chainOf(id).at(-1)!;

  for (const change of changes) {
    switch (change.type) {
      case 'ProfilesMerged': {
        const { survivorProfileId: survivor, mergedProfileIds, mergeId } = change.data;
        // A survivor inside the tree of a profile it absorbs leaves that tree first: no cycles.
        if (chainOf(survivor).some((id) => id !== survivor && mergedProfileIds.includes(id))) nodes.set(survivor, { parent: '', mergeId: '', cause: change });
        for (const merged of mergedProfileIds) {
          if (merged !== survivor) nodes.set(merged, { parent: survivor, mergeId, cause: change });
        }
        break;
      }
      case 'ProfileSplit':
        for (const restored of change.data.restoredProfileIds) nodes.set(restored, { parent: '', mergeId: '', cause: change });
        break;
      default: {
        const unknown: never = change;
        throw new RangeError(`unknown identity change ${JSON.stringify(unknown)}`);
      }
    }
  }

  const last = changes[changes.length - 1]!;
  const latest = Math.max(...changes.map((c) => c.occurredAt));
  const rows: AliasRow[] = [];
  for (const [profileId, node] of nodes) {
    const canonicalProfileId = rootOf(profileId);
    const previous = before.get(profileId);
    const unchanged = previous
      ? previous.canonicalProfileId === canonicalProfileId && previous.parentProfileId === node.parent && previous.mergeId === node.mergeId
      : canonicalProfileId === profileId && node.parent === '';
    if (unchanged) continue;
    rows.push({
      profileId,
      canonicalProfileId,
      parentProfileId: node.parent,
      mergeId: node.mergeId,
      version: Math.max(latest, previous ? previous.version + 1 : 0),
      // A row that changed only because an ancestor did is put down to the batch's last change.
      changedBy: (node.cause ?? last).id,
      changedAt: (node.cause ?? last).occurredAt,
    });
  }
  return rows;
}
