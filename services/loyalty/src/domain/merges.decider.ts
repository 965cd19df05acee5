import type { AccountState } from './account';
import type { LoyaltyCommand } from './commands';
import type { Draft } from './draft';
import type { Rejection } from './errors';
import { type Lot, mergeKey, type PortableRecords } from './events';
import { catchUp, upgradeIfQualified } from './ledger-steps';
import { heldTier, qualifiedTier } from './tiers';

type MergeAccounts = Extract<LoyaltyCommand, { type: 'MergeAccounts' }>;
type SplitAccounts = Extract<LoyaltyCommand, { type: 'SplitAccounts' }>;

const emptied = (lot: Lot): Lot => ({ ...lot, remaining: 0 });

/**
 * Each merged account moves into the survivor: every lot with what remains in it (one
 * PointsTransferred per lot, keeping status, earning and expiry times), and its orders, activities,
 * redemptions and handled causes, so refunds, usage limits and replays work on the survivor. The
 * merged account is closed and anything for it goes to the survivor. The survivor keeps the best of
 * its tier, the merged account's tier and the tier the combined history qualifies for.
 * Merging an account already merged, or into itself, does nothing; nor does a merge delivered again
 * after it was undone, whichever account it names as survivor now (its cause key `merge:<id>/<profile>`
 * went to both sides with the split).
 */
export function decideMerge(draft: Draft, command: MergeAccounts): Rejection | null {
  const at = command.occurredAt;
  const survivorId = draft.resolve(command.survivorProfileId).profileId;
  let best: { rank: number; id: string; since: number } | null = null;
  let merged = 0;
  for (const mergedId of command.mergedProfileIds) {
    const source = draft.account(mergedId);
    const survivor = draft.account(survivorId);
    const key = mergeKey(command.mergeId, source.profileId);
    if (source.status.kind !== 'open' || source.profileId === survivorId || survivor.merges[key] || survivor.seen[`merge:${key}`] || source.seen[`merge:${key}`]) continue;
    merged += 1;
    catchUp(draft, source.profileId, at);
    const from = draft.account(source.profileId);
    const moving = Object.values(from.lots).filter((l) => l.remaining > 0);
    const transfer = (counterpart: string) => ({ kind: 'transfer', mergeId: command.mergeId, splitId: null, counterpartProfileId: counterpart }) as const;
    for (const lot of moving) draft.emit('PointsTransferred', from.profileId, at, { points: lot.remaining, direction: 'out', lotId: lot.id, lotStatus: lot.status, cause: transfer(survivorId) });
    draft.emit('AccountMergedInto', from.profileId, at, { mergeId: command.mergeId, survivorProfileId: survivorId });
    draft.emit('AccountMerged', survivorId, at, { mergeId: command.mergeId, fromProfileId: from.profileId, records: portable(from), tierBefore: survivor.tier });
    for (const lot of moving) draft.emit('PointsTransferred', survivorId, at, { points: lot.remaining, direction: 'in', lotId: lot.id, lotStatus: lot.status, cause: transfer(from.profileId) });
    const held = heldTier(from, draft.programme);
    if (held && held.rank > (best?.rank ?? 0)) best = { rank: held.rank, id: held.level.id, since: from.tier.since ?? at };
  }
  if (merged === 0) return null;
  const survivor = draft.account(survivorId);
  const survivorHeld = heldTier(survivor, draft.programme);
  if (best && survivorHeld && best.rank > survivorHeld.rank) {
    draft.emit('TierChanged', survivorId, at, { from: survivorHeld.level.id, to: best.id, direction: 'up', reason: 'merge', effectiveAt: at, heldSince: best.since });
  }
  upgradeIfQualified(draft, survivorId, at, 'merge');
  return null;
}

function portable(account: AccountState): PortableRecords {
  return {
    lots: Object.values(account.lots).map(emptied),
    orders: Object.values(account.orders),
    activities: Object.values(account.activities),
    redemptions: Object.values(account.redemptions),
    merges: Object.values(account.merges),
    seen: Object.keys(account.seen),
    referredBy: account.referral.referredBy,
  };
}

/**
 * Undoing a merge sends back what it brought: each lot it moved returns with what remains of it
 * (points of those lots the survivor spent or that expired meanwhile stay spent or expired), with
 * the orders, activities, redemptions and merges that came with it. What the survivor earned after
 * the merge stays. Each side's tier is the higher of its tier before the merge and what its own
 * history qualifies for now: a tier gained only through the merge goes at once. A split that undoes
 * no merge moves nothing: the domain cannot tell whose points are whose.
 */
export function decideSplit(draft: Draft, command: SplitAccounts): Rejection | null {
  const mergeId = command.undoneMergeId;
  if (mergeId === null) return null;
  const at = command.occurredAt;
  const survivorId = draft.resolve(command.profileId).profileId;
  let tierBefore: AccountState['tier'] | null = null;
  for (const restoredId of command.restoredProfileIds) {
    const key = mergeKey(mergeId, restoredId);
    const record = draft.account(survivorId).merges[key];
    const target = draft.account(restoredId);
    if (!record || record.undoneBy !== null || target.status.kind !== 'merged') continue;
    catchUp(draft, survivorId, at);
    const survivor = draft.account(survivorId);
    tierBefore ??= record.tierBefore;
    const lots = record.lotIds.map((id) => survivor.lots[id]).filter((l): l is Lot => l !== undefined);
    const moving = lots.filter((l) => l.remaining > 0);
    const transfer = (counterpart: string) => ({ kind: 'transfer', mergeId, splitId: command.splitId, counterpartProfileId: counterpart }) as const;
    for (const lot of moving) draft.emit('PointsTransferred', survivorId, at, { points: lot.remaining, direction: 'out', lotId: lot.id, lotStatus: lot.status, cause: transfer(restoredId) });
    const records: PortableRecords = {
      lots: lots.map(emptied),
      orders: record.orderIds.map((id) => survivor.orders[id]).filter((o) => o !== undefined),
      activities: record.activityIds.map((id) => survivor.activities[id]).filter((a) => a !== undefined),
      redemptions: record.redemptionKeys.map((k) => survivor.redemptions[k]).filter((r) => r !== undefined),
      merges: record.mergeKeys.map((k) => survivor.merges[k]).filter((m) => m !== undefined),
      // Everything the survivor handled, not only what came with the merge: events for the merged
      // profile that arrived while it was merged were handled by the survivor, and a replay of one
      // now resolves to the restored account, which must recognise it.
      seen: Object.keys(survivor.seen),
      referredBy: null,
    };
    draft.emit('AccountSplit', survivorId, at, {
      mergeId,
      splitId: command.splitId,
      toProfileId: restoredId,
      lotIds: record.lotIds,
      orderIds: record.orderIds,
      activityIds: record.activityIds,
      redemptionKeys: record.redemptionKeys,
      mergeKeys: record.mergeKeys,
    });
    draft.emit('AccountRestored', restoredId, at, { mergeId, splitId: command.splitId, fromProfileId: survivorId, records, tier: target.tier });
    for (const lot of moving) draft.emit('PointsTransferred', restoredId, at, { points: lot.remaining, direction: 'in', lotId: lot.id, lotStatus: lot.status, cause: transfer(survivorId) });
    upgradeIfQualified(draft, restoredId, at, 'split');
  }
  if (tierBefore) restoreTier(draft, survivorId, tierBefore, at);
  return null;
}

function restoreTier(draft: Draft, profileId: string, before: AccountState['tier'], at: number): void {
  const { programme } = draft;
  const account = draft.account(profileId);
  const held = heldTier(account, programme);
  const previous = heldTier({ ...account, tier: before }, programme);
  const qualified = qualifiedTier(account, programme, at);
  if (!held || !previous || !qualified) return;
  const target = qualified.rank > previous.rank ? { ...qualified, since: at } : { ...previous, since: before.since };
  if (target.rank === held.rank) return;
  draft.emit('TierChanged', profileId, at, { from: held.level.id, to: target.level.id, direction: target.rank > held.rank ? 'up' : 'down', reason: 'split', effectiveAt: at, heldSince: target.since });
}
