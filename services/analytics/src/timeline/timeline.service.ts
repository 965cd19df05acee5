import { Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@clickhouse/client';
import { AnalyticsError } from '../analytics.error';
import { sqlString, sqlStringList, sqlTime } from '../persistence/clickhouse-sql';
import { ReadSessions } from '../persistence/read-sessions';
import { decodeCursor, encodeCursor } from './timeline-cursor';

export interface TimelineQuery {
  profileId: string;
  limit: number;
  cursor?: string;
  types: string[];
  events: string[];
  /** Inclusive, epoch ms. */
  from?: number;
  /** Exclusive, epoch ms. */
  to?: number;
}

export interface TimelineEvent {
  id: string;
  type: string;
  event: string | null;
  name: string | null;
  occurredAt: string;
  receivedAt: string;
  /** The profile identity resolved the event to; differs from the timeline's profile for merged profiles. */
  resolvedProfileId: string;
  sourceId: string;
  channel: string | null;
  storeId: string | null;
  pagePath: string | null;
  commerce: {
    orderId: string | null;
    revenue: number | null;
    discount: number | null;
    tax: number | null;
    shipping: number | null;
    currency: string | null;
    coupon: string | null;
    itemCount: number;
    itemQuantity: number;
  } | null;
  properties: unknown;
  context: unknown;
  traits: unknown;
}

export interface TimelinePage {
  profileId: string;
  /** The profile whose history this is: the profile asked for, or the survivor it was merged into. */
  canonicalProfileId: string;
  /** Every profile whose events the timeline holds (the canonical one and those merged into it). */
  profileIds: string[];
  events: TimelineEvent[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

interface EventRecord {
  event_id: string;
  profile_id: string;
  occurred_ms: string;
  received_ms: string;
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
  properties: string;
  context: string;
  traits: string;
}

/**
 * One customer's events, newest first, following merges: the events of every profile whose
 * history now belongs to the same canonical profile. Pages are keyed on (occurred_at, event_id),
 * so events that arrive while a client pages through are never repeated or skipped in the part
 * already seen, and events at the same millisecond keep a fixed order.
 */
@Injectable()
export class TimelineService {
  constructor(private readonly sessions: ReadSessions) {}

  page(query: TimelineQuery): Promise<TimelinePage> {
    const position = query.cursor === undefined ? null : decodeCursor(query.cursor);
    if (query.cursor !== undefined && position === null) throw new AnalyticsError('INVALID_CURSOR', 'cursor is not one this service returned', 400);
    return this.sessions.run(async (session) => {
      const canonicalProfileId = await this.canonicalOf(session, query.profileId);
      const profileIds = await this.membersOf(session, canonicalProfileId);
      const conditions = [`profile_id IN ${sqlStringList(profileIds)}`];
      if (query.types.length > 0) conditions.push(`type IN ${sqlStringList(query.types)}`);
      if (query.events.length > 0) conditions.push(`event_name IN ${sqlStringList(query.events)}`);
      if (query.from !== undefined) conditions.push(`occurred_at >= ${sqlTime(query.from)}`);
      if (query.to !== undefined) conditions.push(`occurred_at < ${sqlTime(query.to)}`);
      if (position) conditions.push(`(occurred_at, event_id) < (${sqlTime(position.occurredAt)}, ${sqlString(position.eventId)})`);
      const result = await session.query({
        query: `SELECT event_id, profile_id, toString(toUnixTimestamp64Milli(occurred_at)) AS occurred_ms,
                  toString(toUnixTimestamp64Milli(received_at)) AS received_ms, type, event_name, page_name, page_path, source_id,
                  channel, store_id, order_id, revenue, discount, tax, shipping, currency, coupon, item_count, item_quantity,
                  properties, context, traits
                FROM ${this.sessions.database}.events FINAL
                WHERE ${conditions.join(' AND ')}
                ORDER BY occurred_at DESC, event_id DESC
                LIMIT ${query.limit + 1}`,
        format: 'JSONEachRow',
      });
      const records = await result.json<EventRecord>();
      const more = records.length > query.limit;
      const events = records.slice(0, query.limit);
      const last = events[events.length - 1];
      return {
        profileId: query.profileId,
        canonicalProfileId,
        profileIds,
        events: events.map(toTimelineEvent),
        nextCursor: more && last ? encodeCursor({ occurredAt: Number(last.occurred_ms), eventId: last.event_id }) : null,
      };
    });
  }

  private async canonicalOf(session: ClickHouseClient, profileId: string): Promise<string> {
    const result = await session.query({
      query: `SELECT canonical_profile_id FROM ${this.sessions.database}.profile_aliases FINAL WHERE profile_id = ${sqlString(profileId)}`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ canonical_profile_id: string }>();
    return row?.canonical_profile_id || profileId;
  }

  private async membersOf(session: ClickHouseClient, canonicalProfileId: string): Promise<string[]> {
    const result = await session.query({
      query: `SELECT profile_id FROM ${this.sessions.database}.profile_aliases FINAL
              WHERE canonical_profile_id = ${sqlString(canonicalProfileId)} AND profile_id != ${sqlString(canonicalProfileId)} ORDER BY profile_id`,
      format: 'JSONEachRow',
    });
    return [canonicalProfileId, ...(await result.json<{ profile_id: string }>()).map((r) => r.profile_id)];
  }
}

function toTimelineEvent(r: EventRecord): TimelineEvent {
  const orNull = (value: string) => (value === '' ? null : value);
  const hasCommerce = r.order_id !== '' || r.revenue !== null || r.item_count > 0;
  return {
    id: r.event_id,
    type: r.type,
    event: orNull(r.event_name),
    name: orNull(r.page_name),
    occurredAt: new Date(Number(r.occurred_ms)).toISOString(),
    receivedAt: new Date(Number(r.received_ms)).toISOString(),
    resolvedProfileId: r.profile_id,
    sourceId: r.source_id,
    channel: orNull(r.channel),
    storeId: orNull(r.store_id),
    pagePath: orNull(r.page_path),
    commerce: hasCommerce
      ? {
          orderId: orNull(r.order_id),
          revenue: r.revenue,
          discount: r.discount,
          tax: r.tax,
          shipping: r.shipping,
          currency: orNull(r.currency),
          coupon: orNull(r.coupon),
          itemCount: r.item_count,
          itemQuantity: r.item_quantity,
        }
      : null,
    properties: JSON.parse(r.properties) as unknown,
    context: JSON.parse(r.context) as unknown,
    traits: JSON.parse(r.traits) as unknown,
  };
}
