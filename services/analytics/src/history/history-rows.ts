import type { Commerce, ResolvedEvent } from '@cdp/contracts';
import { piiScope, scrubObject, scrubText, type PiiScope } from './pii-scrubber';
import { profileAttributes, type ProfileAttributeName } from './profile-attributes';

/** A row of `events` (migrations/0002_events.sql), as JSONEachRow. */
export interface EventRow {
  event_id: string;
  profile_id: string;
  occurred_at: string;
  received_at: string;
  type: string;
  event_name: string;
  page_name: string;
  page_path: string;
  source_id: string;
  channel: string;
  store_id: string;
  order_id: string;
  revenue: number | null;
  discount: number | null;
  tax: number | null;
  shipping: number | null;
  currency: string;
  coupon: string;
  item_count: number;
  item_quantity: number;
  profile_created: boolean;
  properties: string;
  context: string;
  traits: string;
}

/** A row of `order_items`. */
export interface OrderItemRow {
  event_id: string;
  line: number;
  profile_id: string;
  occurred_at: string;
  event_name: string;
  order_id: string;
  channel: string;
  store_id: string;
  currency: string;
  sku: string;
  product_id: string;
  product_name: string;
  category: string;
  brand: string;
  variant: string;
  price: number | null;
  quantity: number;
}

/** A row of `profile_attributes`. */
export interface AttributeRow {
  profile_id: string;
  attribute: ProfileAttributeName;
  value: string;
  updated_at: string;
  event_id: string;
}

export interface HistoryRows {
  events: EventRow[];
  orderItems: OrderItemRow[];
  attributes: AttributeRow[];
}

/** Decimal(18, 4) holds |x| < 1e14; anything beyond (or not finite) would fail the whole insert. */
const MAX_AMOUNT = 1e14;
const INT32_MAX = 2_147_483_647;
const MAX_LINES = 65_535;

/** The rows one batch of resolved events adds, with PII removed (see pii-scrubber.ts). */
export function historyRows(events: readonly ResolvedEvent[]): HistoryRows {
  const rows: HistoryRows = { events: [], orderItems: [], attributes: [] };
  for (const resolved of events) appendRows(resolved, rows);
  return rows;
}

function appendRows(resolved: ResolvedEvent, rows: HistoryRows): void {
  const { profileId, profileCreated, identifiers, event } = resolved.data;
  const scope = piiScope([event.userId, event.anonymousId, event.previousId, ...identifiers.map((i) => i.value)]);
  const traits = parseObject(event.traits);
  const properties = parseObject(event.properties);
  const context = parseObject(event.context);
  const occurredAt = dateTime64(resolved.occurredAt);
  const commerce: Commerce | null = event.commerce;
  const channel = event.channel ?? '';
  const storeId = text(commerce?.storeId ?? stringMember(properties, ['store_id', 'storeId']), scope);
  const products = (commerce?.products ?? []).slice(0, MAX_LINES);
  const currency = (commerce?.currency ?? '').slice(0, 3).toUpperCase();
  const eventName = event.type === 'track' ? text(event.event, scope) : '';
  const pagePath = event.type === 'page' ? text(stringMember(properties, ['path']) ?? stringMember(objectMember(context, 'page'), ['path']), scope) : '';

  rows.events.push({
    event_id: resolved.id,
    profile_id: profileId,
    occurred_at: occurredAt,
    received_at: dateTime64(event.receivedAt),
    type: event.type,
    event_name: eventName,
    page_name: event.type === 'page' || event.type === 'screen' ? text(event.name, scope) : '',
    page_path: pagePath,
    source_id: event.sourceId,
    channel,
    store_id: storeId,
    order_id: text(commerce?.orderId, scope),
    revenue: amount(commerce?.revenue),
    discount: amount(commerce?.discount),
    tax: amount(commerce?.tax),
    shipping: amount(commerce?.shipping),
    currency,
    coupon: text(commerce?.coupon, scope),
    item_count: products.length,
    item_quantity: products.reduce((sum, p) => sum + quantity(p.quantity), 0),
    profile_created: profileCreated,
    properties: JSON.stringify(scrubObject(properties, 'properties', scope)),
    context: JSON.stringify(scrubObject(context, 'context', scope)),
    traits: JSON.stringify(scrubObject(traits, 'traits', scope)),
  });

  products.forEach((product, line) => {
    rows.orderItems.push({
      event_id: resolved.id,
      line,
      profile_id: profileId,
      occurred_at: occurredAt,
      event_name: eventName,
      order_id: text(commerce?.orderId, scope),
      channel,
      store_id: storeId,
      currency,
      sku: text(product.sku, scope),
      product_id: text(product.productId, scope),
      product_name: text(product.name, scope),
      category: text(product.category, scope),
      brand: text(product.brand, scope),
      variant: text(product.variant, scope),
      price: amount(product.price),
      quantity: quantity(product.quantity),
    });
  });

  const contextTraits = objectMember(context, 'traits');
  for (const { attribute, value } of profileAttributes({ type: event.type, traits, contextTraits, channel: event.channel, occurredAt: resolved.occurredAt }, scope)) {
    rows.attributes.push({ profile_id: profileId, attribute, value, updated_at: occurredAt, event_id: resolved.id });
  }
}

/** `YYYY-MM-DD hh:mm:ss.sss` in UTC: what a DateTime64(3, 'UTC') column parses whatever the input format settings. */
export function dateTime64(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

function amount(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value) || Math.abs(value) >= MAX_AMOUNT) return null;
  return value;
}

function quantity(value: number): number {
  return Number.isInteger(value) ? Math.max(-INT32_MAX, Math.min(INT32_MAX, value)) : 0;
}

function text(value: string | null | undefined, scope: PiiScope): string {
  if (value === null || value === undefined) return '';
  return scrubText(value, scope) ?? '';
}

function parseObject(json: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(json);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function objectMember(object: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = object[key];
  return isObject(value) ? value : {};
}

function stringMember(object: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = object[key];
    if (typeof value === 'string') return value;
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
