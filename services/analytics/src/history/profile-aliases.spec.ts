import { profileSplit, profilesMerged } from '../../test/support/resolved-events';
import { aliasChanges, profilesInvolved, type AliasRow } from './profile-aliases';

const t0 = Date.UTC(2026, 0, 1);

/** Applies changes batch after batch, as the sink does, and returns each profile's canonical profile. */
function history(...batches: Array<Parameters<typeof aliasChanges>[1]>): { rows: Map<string, AliasRow>; canonical: (id: string) => string } {
  const rows = new Map<string, AliasRow>();
  for (const batch of batches) {
    for (const row of aliasChanges([...rows.values()], batch)) {
      expect(row.version).toBeGreaterThan(rows.get(row.profileId)?.version ?? -1);
      rows.set(row.profileId, row);
    }
  }
  return { rows, canonical: (id) => rows.get(id)?.canonicalProfileId ?? id };
}

describe('profile aliases', () => {
  it('given a merge of B and C into A, points B and C at A', () => {
    const merge = profilesMerged({ survivor: 'A', merged: ['B', 'C'], occurredAt: t0, mergeId: 'm1' });
    const rows = aliasChanges([], [merge]);
    expect(rows).toEqual([
      { profileId: 'B', canonicalProfileId: 'A', parentProfileId: 'A', mergeId: 'm1', version: t0, changedBy: merge.id, changedAt: t0 },
      { profileId: 'C', canonicalProfileId: 'A', parentProfileId: 'A', mergeId: 'm1', version: t0, changedBy: merge.id, changedAt: t0 },
    ]);
    expect(profilesInvolved([merge]).sort()).toEqual(['A', 'B', 'C']);
  });

  it('keeps chains flat: C merged into B, then B into A, leaves C attributed to A', () => {
    const { canonical, rows } = history(
      [profilesMerged({ survivor: 'B', merged: ['C'], occurredAt: t0 })],
      [profilesMerged({ survivor: 'A', merged: ['B'], occurredAt: t0 + 1 })],
    );
    expect(['A', 'B', 'C'].map(canonical)).toEqual(['A', 'A', 'A']);
    expect(rows.get('C')!.parentProfileId).toBe('B');
  });

  it('given a split that restores B, gives B back its own history and what had been merged into B', () => {
    const { canonical } = history(
      [profilesMerged({ survivor: 'B', merged: ['C'], occurredAt: t0 })],
      [profilesMerged({ survivor: 'A', merged: ['B', 'D'], occurredAt: t0 + 1, mergeId: 'm2' })],
      [profileSplit({ profileId: 'A', restored: ['B'], occurredAt: t0 + 2, undoneMergeId: 'm2' })],
    );
    expect(['A', 'B', 'C', 'D'].map(canonical)).toEqual(['A', 'B', 'B', 'A']);
  });

  it('applies a merge and its undo in one batch in order', () => {
    const { canonical } = history([
      profilesMerged({ survivor: 'A', merged: ['B'], occurredAt: t0 }),
      profileSplit({ profileId: 'A', restored: ['B'], occurredAt: t0 + 1 }),
    ]);
    expect(canonical('B')).toBe('B');
  });

  it('makes the survivor a root when it had been merged into one of the profiles it now absorbs', () => {
    const { canonical } = history(
      [profilesMerged({ survivor: 'B', merged: ['A'], occurredAt: t0 })],
      [profilesMerged({ survivor: 'A', merged: ['B'], occurredAt: t0 + 1 })],
    );
    expect([canonical('A'), canonical('B')]).toEqual(['A', 'A']);
  });

  it('writes nothing for a split of profiles that were never merged', () => {
    expect(aliasChanges([], [profileSplit({ profileId: 'A', restored: ['B'], occurredAt: t0 })])).toEqual([]);
  });

  it('still replaces a row whose version is ahead of the event time', () => {
    const loaded: AliasRow = { profileId: 'B', canonicalProfileId: 'A', parentProfileId: 'A', mergeId: 'm1', version: t0 + 10_000, changedBy: 'x', changedAt: t0 };
    const [row] = aliasChanges([loaded], [profileSplit({ profileId: 'A', restored: ['B'], occurredAt: t0 + 5 })]);
    expect(row).toMatchObject({ profileId: 'B', canonicalProfileId: 'B', parentProfileId: '', version: t0 + 10_001 });
  });
});
