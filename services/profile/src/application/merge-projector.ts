import { Injectable } from '@nestjs/common';
import type { ProfileSplit, ProfilesMerged } from '@cdp/contracts';
import { batchResult, type BatchResult, type ConsumedBatch, drop, type MessageResult } from '@cdp/kafka';
import { type ForestEvent, MergeForest } from '../domain';
import { ProjectionRepository } from '../persistence/projection.repository';
import { PiiVault } from './pii-vault';
import { ProfileMetrics } from './profile.metrics';
import { type RefreshCause, ViewRefresher } from './view-refresher';

type GroupMessage = ProfilesMerged | ProfileSplit;

/**
 * Applies one batch of merges and splits: loads (and locks) the merge trees they touch, lets the
 * merge forest decide, writes the links and live roots, then rebuilds the views of every live
 * profile whose group changed. Profiles merged away lose their view and announce where they went;
 * restored profiles get a view built from their own facts again.
 */
@Injectable()
export class MergeProjector {
  constructor(
    private readonly repository: ProjectionRepository,
    private readonly vault: PiiVault,
    private readonly refresher: ViewRefresher,
    private readonly metrics: ProfileMetrics,
  ) {}

  async project(batch: ConsumedBatch<GroupMessage>): Promise<BatchResult> {
    const { tx } = batch;
    const mentioned = (m: GroupMessage) => (m.type === 'ProfilesMerged' ? [m.data.survivorProfileId, ...m.data.mergedProfileIds] : [m.data.profileId, ...m.data.restoredProfileIds]);
    const erased = await this.repository.lockAgainstErasure(tx, [...new Set(batch.messages.flatMap((m) => mentioned(m.value)))]);
    const verdicts: Array<[string, MessageResult]> = [];
    const messages = batch.messages.filter((m) => {
      const ids = mentioned(m.value);
      // A merge or split about an erased person has nothing left to act on.
      if (ids.some((id) => erased.has(id))) {
        verdicts.push([m.eventId, drop('PROFILE_ERASED')]);
        return false;
      }
      return true;
    });
    if (messages.length === 0) return batchResult(verdicts);

    const nodes = await this.repository.forest(tx, [...new Set(messages.flatMap((m) => mentioned(m.value)))]);
    const mergeIds = messages.map((m) => (m.value.type === 'ProfilesMerged' ? m.value.data.mergeId : m.value.data.undoneMergeId)).filter((id): id is string => id !== null);
    const forest = new MergeForest(nodes, await this.repository.merges(tx, [...new Set(mergeIds)]));
    const stored = new Map(nodes.map((n) => [n.profileId, n]));
    const touched = new Map<string, RefreshCause>();
    const moves: Array<{ split: ProfileSplit; restoredId: string }> = [];
    for (const message of messages) {
      const value = message.value;
      const event: ForestEvent =
        value.type === 'ProfilesMerged'
          ? { kind: 'merged', mergeId: value.data.mergeId, survivorId: value.data.survivorProfileId, mergedIds: value.data.mergedProfileIds }
          : { kind: 'split', undoneMergeId: value.data.undoneMergeId, profileId: value.data.profileId, restoredIds: value.data.restoredProfileIds };
      const outcome = forest.apply(event);
      this.metrics.grouped(outcome.kind);
      if (outcome.kind === 'ignored') continue;
      for (const id of mentioned(value)) touched.set(id, { eventId: value.id, at: value.occurredAt });
      if (value.type === 'ProfileSplit' && value.data.restoredProfileIds.length === 1 && value.data.movedIdentifiers.length > 0) {
        moves.push({ split: value, restoredId: value.data.restoredProfileIds[0]! });
      }
    }

    const rootOf = new Map(forest.ids().map((id) => [id, forest.rootOf(id)]));
    const changedNodes = new Map(forest.changedNodes().map((n) => [n.profileId, n]));
    const changedLinks = new Set(changedNodes.keys());
    const saved = forest
      .ids()
      .filter((id) => changedLinks.has(id) || stored.get(id)?.liveId !== rootOf.get(id))
      .map((id) => {
        const node = changedNodes.get(id) ?? stored.get(id)!;
        return { profileId: id, parentId: node.parentId, mergeId: node.mergeId, liveId: rootOf.get(id)! };
      });
    const existed = await this.repository.saveNodes(tx, saved);
    // A profile a concurrent batch of resolved events created after the trees were read: it was live
    // (with its own view) until now, so it is treated like any profile this batch merged away.
    for (const [id, version] of existed) if (!stored.has(id)) stored.set(id, { profileId: id, parentId: null, mergeId: null, liveId: id, version });
    await this.repository.saveMerges(tx, forest.changedMerges());

    for (const { split, restoredId } of moves) {
      const group = forest.ids().filter((id) => rootOf.get(id) === rootOf.get(split.data.profileId) && id !== restoredId);
      const keys = await this.vault.keysFor(tx, [restoredId], true);
      const items = split.data.movedIdentifiers.map((i) => {
        const hash = this.vault.hash(i.type, i.value);
        return { type: i.type, hash, valueEnc: this.vault.seal(keys, restoredId, { kind: 'identifier', type: i.type, hash }, i.value) };
      });
      await this.repository.moveIdentifiers(tx, group, restoredId, items, split.occurredAt);
    }

    const last = messages[messages.length - 1]!.value;
    const causeOf = (id: string) => touched.get(id) ?? { eventId: last.id, at: last.occurredAt };
    const mergedAway = new Map<string, { survivorId: string; version: number; cause: RefreshCause }>();
    const refresh = new Map<string, RefreshCause>();
    for (const id of forest.ids()) {
      const before = stored.get(id);
      const wasLive = !before || before.liveId === id;
      const isLive = rootOf.get(id) === id;
      if (wasLive && !isLive && before) mergedAway.set(id, { survivorId: rootOf.get(id)!, version: before.version, cause: causeOf(id) });
      if (before?.liveId !== rootOf.get(id) || changedLinks.has(id) || touched.has(id)) {
        refresh.set(rootOf.get(id)!, causeOf(id));
        if (before && rootOf.get(before.liveId) === before.liveId) refresh.set(before.liveId, causeOf(id));
      }
    }
    await this.refresher.mergedAway(tx, mergedAway, (...out) => batch.emit(...out));
    const changed = await this.refresher.refresh(tx, refresh, (...out) => batch.emit(...out));
    this.metrics.profilesChanged(changed + mergedAway.size);
    return batchResult(verdicts);
  }
}
