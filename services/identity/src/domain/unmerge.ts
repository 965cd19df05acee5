/**
 * Undoing a merge (an operator's split), from the audit trail the merge left: which identifiers each
 * merged profile brought. What moves back to each restored profile:
 * - the identifiers it brought to the merge that the surviving profile still holds;
 * - identifiers linked to the survivor after the merge by an event whose matching identifiers were
 *   all among those (the same person's new email, seen with their old card), followed transitively.
 * Everything else stays with the survivor: evidence gathered after the merge that involved the
 * survivor's own identifiers belongs to it.
 */

export interface MergeToUndo {
  readonly mergeId: string;
  /** Graph sequence number of the merge: links after it are "after the merge". */
  readonly seq: number;
  readonly mergedIds: readonly string[];
}

export interface MergeMember {
  /** The merged profile the identifier came with. */
  readonly profileId: string;
  readonly identifierId: string;
}

/** An identifier the profile that holds the merge's result has now. */
export interface HeldIdentifier {
  readonly identifierId: string;
  readonly ref: string;
  readonly linkedSeq: number;
  /** Refs of the identifiers of the linking event that the profile already owned. */
  readonly via: readonly string[];
}

export interface SplitPlan {
  /** Per restored profile, the identifiers that move to it (possibly none). */
  readonly moves: ReadonlyArray<{ readonly profileId: string; readonly identifierIds: readonly string[] }>;
}

export function planSplit(merge: MergeToUndo, members: readonly MergeMember[], held: readonly HeldIdentifier[]): SplitPlan {
  const heldById = new Map(held.map((h) => [h.identifierId, h]));
  const heldRefs = new Set(held.map((h) => h.ref));
  /** ref -> restored profile it now goes to. */
  const destination = new Map<string, string>();
  const moves = new Map<string, string[]>(merge.mergedIds.map((id) => [id, []]));
  for (const member of members) {
    const identifier = heldById.get(member.identifierId);
    const target = moves.get(member.profileId);
    if (!identifier || !target) continue;
    destination.set(identifier.ref, member.profileId);
    target.push(identifier.identifierId);
  }
  const later = held.filter((h) => h.linkedSeq > merge.seq && !destination.has(h.ref)).sort((a, b) => a.linkedSeq - b.linkedSeq);
  for (const identifier of later) {
    const owners = new Set(identifier.via.filter((ref) => heldRefs.has(ref)).map((ref) => destination.get(ref) ?? SURVIVOR));
    if (owners.size !== 1) continue;
    const [owner] = owners;
    if (owner === SURVIVOR) continue;
    destination.set(identifier.ref, owner);
    moves.get(owner)!.push(identifier.identifierId);
  }
  return { moves: [...moves].map(([profileId, identifierIds]) => ({ profileId, identifierIds })) };
}

const SURVIVOR = '\u0000survivor';
