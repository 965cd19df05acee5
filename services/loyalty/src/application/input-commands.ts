import type { ProfileSplit, ProfilesMerged, ResolvedEvent } from '@cdp/contracts';
import { activityOf, type LoyaltyCommand, type Programme } from '../domain';

/** What an input event asks of one programme: the commands in order, and the profiles they touch. */
export interface InputCommands {
  commands: LoyaltyCommand[];
  profileIds: string[];
  /** Referral codes the commands look up. */
  referralCodes: string[];
}

const NONE: InputCommands = { commands: [], profileIds: [], referralCodes: [] };

function properties(json: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function text(props: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const v = props[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return null;
}

/** Event names compared the way ingestion canonicalises ecommerce names ("order_completed" = "Order Completed"). */
const loose = (name: string) => name.trim().toLowerCase().replace(/[\s_-]+/g, ' ');

/**
 * The commands a resolved event means for a programme:
 * - `Order Completed` (with its commerce record): RecordOrder;
 * - `Order Refunded`: RecordRefund of the commerce record's revenue (ingestion's revenue, from
 *   `revenue`, `total` or `subtotal`), or of everything not yet refunded without one; `refund_id` names it;
 * - `Order Cancelled`: RecordRefund in full, as a cancellation;
 * - the activity events the domain knows (`Signed Up`, `Product Reviewed`, `Survey Completed`,
 *   `Birthday`, `Profile Completed`, ...) and the programme's custom events: RecordActivity; a sign-up
 *   carrying `referral_code` (or `referralCode`) first links the referral (ApplyReferralCode).
 * Everything else means nothing to loyalty.
 */
export function commandsOfResolved(event: ResolvedEvent, programme: Programme): InputCommands {
  const ingested = event.data.event;
  if (ingested.type !== 'track' || !ingested.event) return NONE;
  const profileId = event.data.profileId;
  const eventId = event.id;
  const occurredAt = ingested.timestamp;
  const name = loose(ingested.event);
  const commerce = ingested.commerce;
  const one = (command: LoyaltyCommand): InputCommands => ({ commands: [command], profileIds: [profileId], referralCodes: [] });

  if (name === 'order completed') {
    return one({
      type: 'RecordOrder',
      profileId,
      eventId,
      occurredAt,
      order: {
        orderId: commerce?.orderId ?? null,
        revenue: commerce?.revenue ?? null,
        currency: commerce?.currency ?? null,
        products: (commerce?.products ?? []).map((p) => ({ sku: p.sku, category: p.category, brand: p.brand, price: p.price, quantity: p.quantity })),
      },
    });
  }
  if (name === 'order refunded' || name === 'order cancelled') {
    const orderId = commerce?.orderId ?? text(properties(ingested.properties), ['order_id', 'orderId']);
    if (!orderId) return NONE;
    const cancellation = name === 'order cancelled';
    return one({
      type: 'RecordRefund',
      profileId,
      eventId,
      occurredAt,
      orderId,
      refundId: text(properties(ingested.properties), ['refund_id', 'refundId']),
      amount: cancellation ? null : (commerce?.revenue ?? null),
      currency: commerce?.currency ?? null,
      reason: cancellation ? 'cancellation' : 'refund',
    });
  }
  const { activity, name: eventName } = activityOf(ingested.event);
  const custom = activity === 'custom';
  if (custom && !programme.earningRules.some((r) => r.kind === 'activity' && r.activity === 'custom' && r.eventName != null && loose(r.eventName) === name)) return NONE;
  const commands: LoyaltyCommand[] = [];
  const referralCodes: string[] = [];
  if (activity === 'sign_up' && programme.referral) {
    const code = text(properties(ingested.properties), ['referral_code', 'referralCode']);
    if (code) {
      commands.push({ type: 'ApplyReferralCode', profileId, code, eventId, occurredAt });
      referralCodes.push(code);
    }
  }
  commands.push({ type: 'RecordActivity', profileId, eventId, occurredAt, activity, name: eventName });
  return { commands, profileIds: [profileId], referralCodes };
}

export function commandsOfMerge(event: ProfilesMerged): InputCommands {
  const d = event.data;
  return {
    commands: [{ type: 'MergeAccounts', mergeId: d.mergeId, survivorProfileId: d.survivorProfileId, mergedProfileIds: d.mergedProfileIds, occurredAt: event.occurredAt }],
    profileIds: [d.survivorProfileId, ...d.mergedProfileIds],
    referralCodes: [],
  };
}

export function commandsOfSplit(event: ProfileSplit): InputCommands {
  const d = event.data;
  return {
    commands: [{ type: 'SplitAccounts', splitId: d.splitId, undoneMergeId: d.undoneMergeId, profileId: d.profileId, restoredProfileIds: d.restoredProfileIds, occurredAt: event.occurredAt }],
    profileIds: [d.profileId, ...d.restoredProfileIds],
    referralCodes: [],
  };
}
