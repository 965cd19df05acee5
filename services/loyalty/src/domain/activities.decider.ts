import type { LoyaltyCommand, ReportedActivity } from './commands';
import type { Draft } from './draft';
import { ruleApplies } from './earning';
import type { Rejection } from './errors';
import { credit, upgradeIfQualified } from './ledger-steps';
import type { ActivityRule } from './programme';

type RecordActivity = Extract<LoyaltyCommand, { type: 'RecordActivity' }>;

/**
 * Segment event names (and the spellings shops commonly send) of the activities rules can reward;
 * anything else is a custom event, matched by name.
 */
const ACTIVITY_EVENT_NAMES: Readonly<Record<string, ReportedActivity>> = {
  'signed up': 'sign_up',
  'sign up': 'sign_up',
  'account created': 'sign_up',
  'product reviewed': 'review',
  'review submitted': 'review',
  'survey completed': 'survey_completed',
  'survey submitted': 'survey_completed',
  birthday: 'birthday',
  'birthday reached': 'birthday',
  'profile completed': 'profile_completed',
};

/** What activity a tracked event is, by its name (case, `_` and `-` ignored). */
export function activityOf(eventName: string): { activity: ReportedActivity; name: string } {
  const key = eventName.trim().toLowerCase().replace(/[_-]+/g, ' ');
  return { activity: ACTIVITY_EVENT_NAMES[key] ?? 'custom', name: eventName.trim() };
}

function matches(rule: ActivityRule, command: RecordActivity): boolean {
  if (rule.activity !== command.activity) return false;
  if (rule.activity !== 'custom') return true;
  return rule.eventName != null && command.name != null && rule.eventName.trim().toLowerCase() === command.name.trim().toLowerCase();
}

/** Every activity rule that matches credits its points at once (no return window; refunds do not touch them). */
export function decideActivity(draft: Draft, command: RecordActivity): Rejection | null {
  const { programme, ctx } = draft;
  const account = draft.resolve(command.profileId);
  if (account.seen[`event:${command.eventId}`]) return null;
  const at = command.occurredAt;
  const rules = programme.earningRules.filter((r): r is ActivityRule => r.kind === 'activity' && matches(r, command) && ruleApplies(r, account, at, programme, ctx.lookups));
  draft.emit('ActivityRecorded', account.profileId, at, { activity: { eventId: command.eventId, activity: command.activity, name: command.name, occurredAt: at } });
  for (const rule of rules) {
    credit(
      draft,
      {
        id: ctx.newId(),
        profileId: account.profileId,
        points: rule.points,
        cause: { kind: 'activity', eventId: command.eventId, ruleId: rule.id, activity: command.activity, name: command.name },
        activatesAt: null,
        qualifying: true,
        refundPolicy: 'none',
        rounding: 'floor',
      },
      at,
    );
  }
  upgradeIfQualified(draft, account.profileId, at, 'qualified');
  return null;
}
