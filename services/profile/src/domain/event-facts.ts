import type { ResolvedEvent } from '@cdp/contracts';
import { type ConsentFact, consentsOfTrack, consentsOfTraits } from './consents';
import { asNumber, asObject, asString, type JsonObject, type JsonValue, parseObject } from './json';
import type { OrderAdjustmentFact } from './order-adjustments';
import type { TraitFact } from './trait-folding';

export interface OrderItem {
  readonly sku: string | null;
  readonly productId: string | null;
  readonly name: string | null;
  readonly category: string | null;
  readonly brand: string | null;
  readonly price: number | null;
  readonly quantity: number;
  readonly variant: string | null;
}

/** An order as an `Order Completed` event recorded it. */
export interface OrderFact {
  /** The order id, else the event id: what makes a re-sent order count once. */
  readonly orderKey: string;
  readonly orderId: string | null;
  readonly eventId: string;
  readonly at: number;
  /** Revenue (excluding shipping and tax), else the sum of the items. */
  readonly revenue: number;
  /** ISO 4217, upper case; `XXX` (no currency) when the event named none. */
  readonly currency: string;
  readonly discount: number | null;
  readonly tax: number | null;
  readonly shipping: number | null;
  readonly coupon: string | null;
  readonly storeId: string | null;
  readonly channel: string | null;
  readonly sourceId: string;
  readonly items: readonly OrderItem[];
}

export const INTERACTION_TYPES = ['call', 'chat', 'email', 'store_visit', 'complaint', 'feedback'] as const;
export type InteractionType = (typeof INTERACTION_TYPES)[number];

export function isInteractionType(value: string): value is InteractionType {
  return (INTERACTION_TYPES as readonly string[]).includes(value);
}

/** Track events that are interactions with the customer, and the type each one is. */
export const INTERACTION_EVENTS: ReadonlyMap<string, InteractionType | 'from_properties'> = new Map([
  ['Interaction Logged', 'from_properties'],
  ['Call Completed', 'call'],
  ['Call Logged', 'call'],
  ['Chat Completed', 'chat'],
  ['Chat Ended', 'chat'],
  ['Email Logged', 'email'],
  ['Support Email Received', 'email'],
  ['Store Visited', 'store_visit'],
  ['Complaint Filed', 'complaint'],
  ['Complaint Submitted', 'complaint'],
  ['Feedback Submitted', 'feedback'],
  ['Survey Completed', 'feedback'],
]);

/** A contact with the customer: a call, a chat, an email, a store visit, a complaint, feedback. */
export interface InteractionFact {
  /** The event id. */
  readonly id: string;
  readonly at: number;
  readonly channel: string | null;
  readonly type: InteractionType;
  /** Free text about the contact; personal data, so it is encrypted at rest. */
  readonly summary: string | null;
  readonly agent: string | null;
  /** As the source rated it (e.g. 1-5 or 0-10). */
  readonly satisfaction: number | null;
  readonly sourceId: string;
}

export interface IdentifierFact {
  readonly type: string;
  readonly value: string;
  readonly at: number;
}

export interface AddressFact {
  readonly value: JsonObject;
  readonly at: number;
}

/** Everything one resolved event says about its profile. */
export interface EventFacts {
  readonly eventId: string;
  /** The profile identity resolved the event to: the facts are attributed to it (their origin). */
  readonly profileId: string;
  readonly at: number;
  readonly channel: string | null;
  readonly storeId: string | null;
  readonly traits: readonly TraitFact[];
  readonly identifiers: readonly IdentifierFact[];
  readonly addresses: readonly AddressFact[];
  readonly consents: readonly ConsentFact[];
  readonly order: OrderFact | null;
  /** A refund or cancellation of an order (`Order Refunded`, `Order Cancelled` with the order id). */
  readonly orderAdjustment: OrderAdjustmentFact | null;
  readonly interaction: InteractionFact | null;
}

export const MAX_TRAITS_PER_EVENT = 200;
export const MAX_TRAIT_NAME_LENGTH = 128;
const MAX_ITEMS_PER_ORDER = 500;
const MAX_SUMMARY_LENGTH = 4000;
const CURRENCY = /^[A-Z]{3}$/;

/** Trait keys that are instructions or handled on their own rather than traits. */
const NOT_TRAITS = new Set(['$set', '$set_once', '$unset', 'consents']);

/**
 * The facts of a resolved event:
 * - traits: an identify call's `traits` (`$set_once` / `$unset` members too), and `$set` /
 *   `$set_once` / `$unset` in any call's properties; an address also gives the non-personal
 *   `city`, `region` and `country` traits unless the call set those itself;
 * - identifiers as identity matched them (normalised); addresses from `traits.address`;
 * - consents (see consents.ts); the order of an `Order Completed` call; interactions (see
 *   INTERACTION_EVENTS); and the channel and store, for the activity counters.
 */
export function factsOf(resolved: ResolvedEvent): EventFacts {
  const event = resolved.data.event;
  const eventId = resolved.id;
  const at = event.timestamp;
  const properties = parseObject(event.properties);
  const traitsObject = event.type === 'identify' ? parseObject(event.traits) : undefined;
  const traits: TraitFact[] = [];
  const push = (name: string, value: JsonValue, mode: TraitFact['mode']) => {
    if (traits.length >= MAX_TRAITS_PER_EVENT || !validTraitName(name)) return;
    traits.push({ name, mode, value, at, eventId });
  };
  const addOps = (source: JsonObject | undefined, topLevel: boolean) => {
    if (!source) return;
    if (topLevel) for (const [name, value] of Object.entries(source)) if (!NOT_TRAITS.has(name)) push(name, value, 'set');
    for (const [name, value] of Object.entries(asObject(source.$set) ?? {})) push(name, value, 'set');
    for (const [name, value] of Object.entries(asObject(source.$set_once) ?? {})) push(name, value, 'once');
    if (Array.isArray(source.$unset)) for (const name of source.$unset) if (typeof name === 'string') push(name, null, 'set');
  };
  addOps(traitsObject, true);
  addOps(properties, false);

  const addresses: AddressFact[] = [];
  for (const fact of [...traits]) {
    if (fact.name !== 'address') continue;
    const address = asObject(fact.value);
    if (!address) continue;
    if (fact.mode === 'set') addresses.push({ value: address, at });
    const given = new Set(traits.filter((t) => t.mode === fact.mode).map((t) => t.name));
    const derived: Array<[string, JsonValue | undefined]> = [
      ['city', address.city],
      ['region', address.state ?? address.region ?? address.province],
      ['country', address.country],
    ];
    for (const [name, value] of derived) if (!given.has(name) && asString(value) !== undefined) push(name, asString(value)!, fact.mode);
  }

  const source = event.sourceId;
  const consents: ConsentFact[] = [
    ...(event.type === 'identify' ? consentsOfTraits(traitsObject?.consents) : []),
    ...(event.type === 'track' && event.event ? consentsOfTrack(event.event, properties) : []),
  ].map((c) => ({ ...c, at, eventId, source }));

  const storeId = event.commerce?.storeId ?? asString(properties?.storeId) ?? asString(properties?.store_id) ?? null;
  return {
    eventId,
    profileId: resolved.data.profileId,
    at,
    channel: event.channel,
    storeId,
    traits,
    identifiers: resolved.data.identifiers.map((id) => ({ type: id.type, value: id.value, at })),
    addresses,
    consents,
    order: orderOf(resolved, storeId),
    orderAdjustment: orderAdjustmentOf(resolved),
    interaction: interactionOf(resolved, properties),
  };
}

function validTraitName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_TRAIT_NAME_LENGTH && !name.startsWith('$');
}

function orderOf(resolved: ResolvedEvent, storeId: string | null): OrderFact | null {
  const event = resolved.data.event;
  const commerce = event.commerce;
  if (event.type !== 'track' || event.event !== 'Order Completed' || !commerce) return null;
  const items: OrderItem[] = commerce.products.slice(0, MAX_ITEMS_PER_ORDER).map((p) => ({
    sku: p.sku,
    productId: p.productId,
    name: p.name,
    category: p.category,
    brand: p.brand,
    price: p.price,
    quantity: p.quantity,
    variant: p.variant,
  }));
  const itemsTotal = items.reduce((sum, item) => sum + (item.price ?? 0) * item.quantity, 0);
  const currency = commerce.currency?.toUpperCase();
  return {
    orderKey: commerce.orderId ?? resolved.id,
    orderId: commerce.orderId,
    eventId: resolved.id,
    at: event.timestamp,
    revenue: commerce.revenue ?? Math.round(itemsTotal * 100) / 100,
    currency: currency && CURRENCY.test(currency) ? currency : 'XXX',
    discount: commerce.discount,
    tax: commerce.tax,
    shipping: commerce.shipping,
    coupon: commerce.coupon,
    storeId,
    channel: event.channel,
    sourceId: event.sourceId,
    items,
  };
}

/**
 * `Order Refunded` / `Order Cancelled` with the commerce record's order id. A refund's amount is the
 * record's revenue, else the sum of its products (a partial refund lists what came back), else the
 * whole order.
 */
function orderAdjustmentOf(resolved: ResolvedEvent): OrderAdjustmentFact | null {
  const event = resolved.data.event;
  const commerce = event.commerce;
  if (event.type !== 'track' || !commerce?.orderId || (event.event !== 'Order Refunded' && event.event !== 'Order Cancelled')) return null;
  const kind = event.event === 'Order Refunded' ? 'refunded' : 'cancelled';
  const items = commerce.products.reduce((sum, p) => sum + (p.price ?? 0) * p.quantity, 0);
  const amount = kind === 'cancelled' ? null : (commerce.revenue ?? (commerce.products.length > 0 ? Math.round(items * 100) / 100 : null));
  return { orderKey: commerce.orderId, eventId: resolved.id, at: event.timestamp, kind, amount: amount === null ? null : Math.abs(amount), sourceId: event.sourceId };
}

function interactionOf(resolved: ResolvedEvent, properties: JsonObject | undefined): InteractionFact | null {
  const event = resolved.data.event;
  if (event.type !== 'track' || !event.event) return null;
  const kind = INTERACTION_EVENTS.get(event.event);
  if (!kind) return null;
  const type = kind === 'from_properties' ? asString(properties?.type)?.toLowerCase() : kind;
  if (!type || !isInteractionType(type)) return null;
  const summary = asString(properties?.summary) ?? asString(properties?.content) ?? asString(properties?.notes) ?? null;
  return {
    id: resolved.id,
    at: event.timestamp,
    channel: asString(properties?.channel) ?? event.channel,
    type,
    summary: summary === null ? null : summary.slice(0, MAX_SUMMARY_LENGTH),
    agent: asString(properties?.agent) ?? asString(properties?.agentId) ?? asString(properties?.agent_id) ?? null,
    satisfaction: asNumber(properties?.satisfaction) ?? asNumber(properties?.rating) ?? null,
    sourceId: event.sourceId,
  };
}
