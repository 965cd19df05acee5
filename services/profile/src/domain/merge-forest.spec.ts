import { MergeForest } from './merge-forest';

const node = (profileId: string, parentId: string | null = null, mergeId: string | null = null) => ({ profileId, parentId, mergeId });

describe('merge forest', () => {
  it('links merged profiles under the survivor, so the survivor is their live profile', () => {
    const forest = new MergeForest([node('a'), node('b'), node('c')]);
    expect(forest.apply({ kind: 'merged', mergeId: 'm1', survivorId: 'a', mergedIds: ['b', 'c'] })).toEqual({ kind: 'merged', linked: ['b', 'c'] });
    expect(['a', 'b', 'c'].map((id) => forest.rootOf(id))).toEqual(['a', 'a', 'a']);
  });

  it('gives back to a restored profile the profiles merged into it before (nested merges)', () => {
    // given c merged into b (m1), then b into a (m2)
    const forest = new MergeForest([node('a'), node('b'), node('c')]);
    forest.apply({ kind: 'merged', mergeId: 'm1', survivorId: 'b', mergedIds: ['c'] });
    forest.apply({ kind: 'merged', mergeId: 'm2', survivorId: 'a', mergedIds: ['b'] });
    expect(forest.rootOf('c')).toBe('a');
    // when m2 is undone
    forest.apply({ kind: 'split', undoneMergeId: 'm2', profileId: 'a', restoredIds: ['b'] });
    // then b is live again with c
    expect(['a', 'b', 'c'].map((id) => forest.rootOf(id))).toEqual(['a', 'b', 'b']);
  });

  it('never applies a merge whose undo arrived first', () => {
    const forest = new MergeForest([node('a'), node('b')]);
    forest.apply({ kind: 'split', undoneMergeId: 'm1', profileId: 'a', restoredIds: ['b'] });
    expect(forest.apply({ kind: 'merged', mergeId: 'm1', survivorId: 'a', mergedIds: ['b'] })).toEqual({ kind: 'ignored', reason: 'merge_already_undone' });
    expect(forest.rootOf('b')).toBe('b');
  });

  it('ignores a merge seen twice', () => {
    const forest = new MergeForest([node('a'), node('b', 'a', 'm1')], [{ mergeId: 'm1', survivorId: 'a', mergedIds: ['b'], applied: true, undone: false }]);
    expect(forest.apply({ kind: 'merged', mergeId: 'm1', survivorId: 'a', mergedIds: ['b'] })).toEqual({ kind: 'ignored', reason: 'merge_already_applied' });
    expect(forest.changedNodes()).toEqual([]);
  });

  it('follows a merge into a survivor that was itself merged meanwhile (events of another partition first)', () => {
    // given a merged into t (seen first), when the older merge of b into a arrives
    const forest = new MergeForest([node('t'), node('a', 't', 'm2'), node('b')]);
    forest.apply({ kind: 'merged', mergeId: 'm1', survivorId: 'a', mergedIds: ['b'] });
    // then b's live profile is t
    expect(forest.rootOf('b')).toBe('t');
  });

  it('lets a newer merge win over an older link it contradicts, instead of closing a cycle', () => {
    // given b under a (m1) whose undo has not arrived, when a is merged into b (m2)
    const forest = new MergeForest([node('a'), node('b', 'a', 'm1')], [{ mergeId: 'm1', survivorId: 'a', mergedIds: ['b'], applied: true, undone: false }]);
    forest.apply({ kind: 'merged', mergeId: 'm2', survivorId: 'b', mergedIds: ['a'] });
    expect([forest.rootOf('a'), forest.rootOf('b')]).toEqual(['b', 'b']);
  });

  it('detaches the restored profiles of a split that names no merge', () => {
    const forest = new MergeForest([node('a'), node('b', 'a', 'm1')]);
    expect(forest.apply({ kind: 'split', undoneMergeId: null, profileId: 'a', restoredIds: ['b', 'n'] })).toEqual({ kind: 'split', detached: ['b'] });
    expect(forest.rootOf('b')).toBe('b');
    expect(forest.createdIds()).toEqual(['n']);
  });
});
