import type { AccountState } from './account';
import { DAY_MS, startOfPeriodAfter } from './calendar';
import type { LoyaltyCommand } from './commands';
import type { Draft } from './draft';
import type { Rejection } from './errors';
import type { Notification } from './events';
import { catchUp, reviewTier, upgradeIfQualified } from './ledger-steps';
import type { Programme } from './programme';
import { heldTier } from './tiers';

type ProcessDueWork = Extract<LoyaltyCommand, { type: 'ProcessDueWork' }>;

export interface DueNotification {
  /** Stable key: a notification with a key already requested is never due again. */
  key: string;
  notification: Notification;
}

/**
 * Notifications due at `now` and not yet requested:
 * - `points-expiring`: active points expiring within `expiringSoonDays`, one per expiry instant
 *   (key `points-expiring:<expiresAt>`); points added to that instant after the notice are not re-announced.
 * - `tier-changed`: each tier change not older than `tierChangeMaxAgeDays` (key `tier-changed:<event id>`),
 *   so replaying history or a late run does not announce changes from long ago.
 * Closed (merged) accounts get none.
 */
export function dueNotifications(account: AccountState, programme: Programme, now: number): DueNotification[] {
  if (account.status.kind !== 'open') return [];
  const due: DueNotification[] = [];
  const maxAge = programme.notifications.tierChangeMaxAgeDays * DAY_MS;
  for (const change of account.tierChanges) {
    const key = `tier-changed:${change.id}`;
    if (account.notified[key] !== undefined || change.effectiveAt > now || now - change.effectiveAt > maxAge) continue;
    due.push({ key, notification: { kind: 'tier-changed', from: change.from, to: change.to, direction: change.direction, effectiveAt: change.effectiveAt } });
  }
  const horizon = now + programme.notifications.expiringSoonDays * DAY_MS;
  const expiring = new Map<number, number>();
  for (const lot of Object.values(account.lots)) {
    if (lot.status !== 'active' || lot.remaining <= 0 || lot.expiresAt === null || lot.expiresAt <= now || lot.expiresAt > horizon) continue;
    expiring.set(lot.expiresAt, (expiring.get(lot.expiresAt) ?? 0) + lot.remaining);
  }
  for (const [expiresAt, points] of [...expiring].sort((a, b) => a[0] - b[0])) {
    const key = `points-expiring:${expiresAt}`;
    if (account.notified[key] === undefined) due.push({ key, notification: { kind: 'points-expiring', points, expiresAt } });
  }
  return due;
}

/** Activations, expiries, the tier review and the notifications due at the clock's time. */
export function decideDueWork(draft: Draft, command: ProcessDueWork): Rejection | null {
  const account = draft.account(command.profileId);
  if (account.status.kind !== 'open') return null;
  const now = draft.ctx.now;
  catchUp(draft, account.profileId, now);
  reviewTier(draft, account.profileId, now);
  upgradeIfQualified(draft, account.profileId, now, 'qualified');
  for (const due of dueNotifications(draft.account(account.profileId), draft.programme, now)) {
    draft.emit('NotificationRequested', account.profileId, now, due);
  }
  return null;
}

/**
 * When the account next has due work (a pending lot to activate, points to expire, a notice to
 * send, a tier review), or null for never. After ProcessDueWork at `now` it is later than `now`,
 * so a scheduler keyed on it never spins. A time at or before `now` means "due already".
 */
export function nextDueAt(account: AccountState, programme: Programme, now: number): number | null {
  if (account.status.kind !== 'open') return null;
  let next = Infinity;
  const soon = programme.notifications.expiringSoonDays * DAY_MS;
  const maxAge = programme.notifications.tierChangeMaxAgeDays * DAY_MS;
  for (const lot of Object.values(account.lots)) {
    if (lot.remaining <= 0) continue;
    if (lot.status === 'pending' && lot.activatesAt !== null) next = Math.min(next, lot.activatesAt);
    if (lot.status === 'active' && lot.expiresAt !== null) {
      next = Math.min(next, lot.expiresAt);
      // A notice not yet sent is due when the expiry comes within range (now, if it already has).
      if (lot.expiresAt > now && account.notified[`points-expiring:${lot.expiresAt}`] === undefined) next = Math.min(next, Math.max(lot.expiresAt - soon, now));
    }
  }
  for (const change of account.tierChanges) {
    if (account.notified[`tier-changed:${change.id}`] === undefined && change.effectiveAt + maxAge >= now) next = Math.min(next, change.effectiveAt);
  }
  const held = heldTier(account, programme);
  if (programme.tiers && held && held.rank > 0) next = Math.min(next, startOfPeriodAfter(now, programme.tiers.reviewPeriod, 1, programme.timeZone));
  return next === Infinity ? null : next;
}
