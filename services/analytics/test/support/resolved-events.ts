import { randomUUID } from 'node:crypto';
import type { Commerce, IngestedEvent, ProfileSplit, ProfilesMerged, ResolvedEvent } from '@cdp/contracts';

export const RESOLVED_EVENT = 'cdp.identity.ResolvedEvent';
export const PROFILES_MERGED = 'cdp.identity.ProfilesMerged';
export const PROFILE_SPLIT = 'cdp.identity.ProfileSplit';

const metadata = { correlationId: null, causationId: null, producer: 'identity', schemaVersion: 1 };

export interface EventSpec {
  profileId: string;
  occurredAt: number;
  type?: IngestedEvent['type'];
  event?: string | null;
  name?: string | null;
  id?: string;
  userId?: string | null;
  channel?: string | null;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  context?: Record<string, unknown>;
  commerce?: Commerce | null;
  identifiers?: Array<{ type: string; value: string }>;
  profileCreated?: boolean;
}

/** A ResolvedEvent as identity emits it: the ingested event with its canonical profile. */
export function resolvedEvent(spec: EventSpec): ResolvedEvent {
  const id = spec.id ?? randomUUID();
  const type = spec.type ?? 'track';
  return {
    id,
    type: 'EventResolved',
    occurredAt: spec.occurredAt,
    data: {
      profileId: spec.profileId,
      profileCreated: spec.profileCreated ?? false,
      identifiers: spec.identifiers ?? (spec.userId ? [{ type: 'user_id', value: spec.userId }] : []),
      event: {
        messageId: id,
        type,
        event: type === 'track' ? (spec.event ?? 'Product Viewed') : null,
        name: type === 'page' || type === 'screen' ? (spec.name ?? 'Home') : null,
        anonymousId: `anon-${spec.profileId}`,
        userId: spec.userId ?? null,
        previousId: null,
        groupId: null,
        timestamp: spec.occurredAt,
        originalTimestamp: spec.occurredAt,
        sentAt: spec.occurredAt + 500,
        receivedAt: spec.occurredAt + 900,
        sourceId: 'web-shop',
        channel: spec.channel === undefined ? 'web' : spec.channel,
        context: JSON.stringify(spec.context ?? { library: { name: 'analytics.js', version: '4.1.0' } }),
        traits: JSON.stringify(spec.traits ?? {}),
        properties: JSON.stringify(spec.properties ?? {}),
        commerce: spec.commerce ?? null,
        integrations: '{}',
      },
    },
    metadata,
  };
}

/** An Order Completed with one line per product. */
export function orderCompleted(spec: Omit<EventSpec, 'type' | 'event' | 'commerce'> & { orderId: string; revenue: number; products: Commerce['products']; storeId?: string }): ResolvedEvent {
  return resolvedEvent({
    ...spec,
    type: 'track',
    event: 'Order Completed',
    properties: spec.properties ?? { orderId: spec.orderId, revenue: spec.revenue, currency: 'USD' },
    commerce: {
      orderId: spec.orderId,
      revenue: spec.revenue,
      currency: 'USD',
      discount: null,
      tax: null,
      shipping: null,
      coupon: null,
      storeId: spec.storeId ?? null,
      products: spec.products,
    },
  });
}

export function product(fields: Partial<Commerce['products'][number]> = {}): Commerce['products'][number] {
  return { sku: 'SKU-1', productId: null, name: 'Compact disc', category: 'Music', brand: null, price: 10, quantity: 1, variant: null, ...fields };
}

export function profilesMerged(fields: { survivor: string; merged: string[]; occurredAt: number; mergeId?: string }): ProfilesMerged {
  const mergeId = fields.mergeId ?? randomUUID();
  return {
    id: randomUUID(),
    type: 'ProfilesMerged',
    occurredAt: fields.occurredAt,
    data: { mergeId, survivorProfileId: fields.survivor, mergedProfileIds: fields.merged, rule: 'email', identifiers: [], sourceEventId: null },
    metadata,
  };
}

export function profileSplit(fields: { profileId: string; restored: string[]; occurredAt: number; undoneMergeId?: string | null }): ProfileSplit {
  return {
    id: randomUUID(),
    type: 'ProfileSplit',
    occurredAt: fields.occurredAt,
    data: {
      splitId: randomUUID(),
      undoneMergeId: fields.undoneMergeId ?? null,
      profileId: fields.profileId,
      restoredProfileIds: fields.restored,
      movedIdentifiers: [],
      reason: 'merge_undone',
      requestedBy: null,
      sourceEventId: null,
    },
    metadata,
  };
}
