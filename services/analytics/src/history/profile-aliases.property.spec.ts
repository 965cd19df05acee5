import fc from 'fast-check';
import { profileSplit, profilesMerged } from '../../test/support/resolved-events';
import { aliasChanges, profilesInvolved, type AliasRow, type IdentityChange } from './profile-aliases';

const PROFILES = ['A', 'B', 'C', 'D', 'E', 'F'];

/** The reference: a parent per profile, changed event by event, and the root of each chain. */
function reference(changes: readonly IdentityChange[]): (id: string) => string {
  const parent = new Map<string, string>();
  const ancestors = (id: string): string[] => {
    const out: string[] = [];
    for (let p = parent.get(id); p !== undefined && !out.includes(p) && p !== id; p = parent.get(p)) out.push(p);
    return out;
  };
  const root = (id: string): string => ancestors(id).at(-1) ?? id;
  for (const change of changes) {
    if (change.type === 'ProfilesMerged') {
      const { survivorProfileId: s, mergedProfileIds } = change.data;
      if (ancestors(s).some((a) => mergedProfileIds.includes(a))) parent.delete(s);
      for (const m of mergedProfileIds) if (m !== s) parent.set(m, s);
    } else {
      for (const r of change.data.restoredProfileIds) parent.delete(r);
    }
  }
  return root;
}

const change = fc.oneof(
  fc.record({ survivor: fc.constantFrom(...PROFILES), merged: fc.uniqueArray(fc.constantFrom(...PROFILES), { minLength: 1, maxLength: 3 }) }).map(({ survivor, merged }) => ({ kind: 'merge' as const, survivor, merged })),
  fc.record({ profileId: fc.constantFrom(...PROFILES), restored: fc.uniqueArray(fc.constantFrom(...PROFILES), { minLength: 1, maxLength: 2 }) }).map(({ profileId, restored }) => ({ kind: 'split' as const, profileId, restored })),
);

describe('profile aliases, for any sequence of merges and splits in any batching', () => {
  it('attribute every profile to the root of its merge chain, reading back only the rows the sink loads', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 12, maxLength: 12 }), (specs, batchSizes) => {
        const changes: IdentityChange[] = specs.map((s, i) =>
          s.kind === 'merge' ? profilesMerged({ survivor: s.survivor, merged: s.merged, occurredAt: 1000 + i }) : profileSplit({ profileId: s.profileId, restored: s.restored, occurredAt: 1000 + i }),
        );
        const table = new Map<string, AliasRow>();
        for (let i = 0, b = 0; i < changes.length; b++) {
          const size = batchSizes[b % batchSizes.length]!;
          const batch = changes.slice(i, i + size);
          i += size;
          // What HistorySink reads: the rows of the profiles named, and of every profile attributed
          // to one of them or to the same profile as one of them.
          const ids = new Set(profilesInvolved(batch));
          const roots = new Set([...ids, ...[...table.values()].filter((row) => ids.has(row.profileId)).map((row) => row.canonicalProfileId)]);
          const loaded = [...table.values()].filter((row) => ids.has(row.profileId) || roots.has(row.canonicalProfileId));
          for (const row of aliasChanges(loaded, batch)) {
            if (row.version <= (table.get(row.profileId)?.version ?? -1)) return false;
            table.set(row.profileId, row);
          }
        }
        const expected = reference(changes);
        // No chain loops, and each profile's stored canonical profile is the root the reference finds.
        return PROFILES.every((id) => (table.get(id)?.canonicalProfileId ?? id) === expected(id) && expected(expected(id)) === expected(id));
      }),
      { numRuns: 500 },
    );
  });
});
