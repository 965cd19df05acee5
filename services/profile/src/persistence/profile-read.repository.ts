import { quoteIdent, type SqlExecutor } from '@cdp/kafka';
import { type JsonObject, type JsonValue, orderStatus, type OrderStatus, type TraitMode } from '../domain';

export interface ViewRow {
  profileId: string;
  version: number;
  traits: JsonObject;
  pii: Record<string, string>;
  computed: JsonObject;
  consents: JsonObject;
  mergedProfileIds: string[];
  updatedAt: string;
}

export interface TraitFactRow {
  profileId: string;
  name: string;
  mode: TraitMode;
  value: JsonValue;
  valueEnc: Buffer | null;
  at: number;
  eventId: string;
}

export interface IdentifierFactRow {
  profileId: string;
  type: string;
  hash: string;
  valueEnc: Buffer;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface AddressFactRow {
  profileId: string;
  hash: string;
  valueEnc: Buffer;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface OrderView {
  profileId: string;
  orderKey: string;
  orderId: string | null;
  eventId: string;
  occurredAt: string;
  revenue: number;
  currency: string;
  discount: number | null;
  tax: number | null;
  shipping: number | null;
  coupon: string | null;
  storeId: string | null;
  channel: string | null;
  sourceId: string;
  items: JsonValue;
  /** From the refunds and cancellations of the merge group that name the order. */
  status: OrderStatus;
  refundedAmount: number;
}

export interface InteractionFactRow {
  profileId: string;
  id: string;
  occurredAt: string;
  channel: string | null;
  type: string;
  summaryEnc: Buffer | null;
  agent: string | null;
  satisfaction: number | null;
  sourceId: string;
}

/** Where a read starts: a profile id (merged ids lead to their live profile), or an identifier's blind index. */
export type ProfileTarget = { readonly id: string } | { readonly type: string; readonly hash: string };

/** A live profile with what its answer needs, read in one round trip. */
export interface ProfileBundle {
  /** The live profile (for an identifier: the one that saw it last), null when there is none. */
  liveId: string | null;
  /** Live profiles holding the identifier, the one that saw it last first (by id: the live profile). */
  matches: string[];
  /** The id names an erased profile (by id only). */
  erased: boolean;
  view: ViewRow | null;
  /** With personal data: the group's encrypted trait facts, email and phone identifiers, addresses. */
  piiTraits: TraitFactRow[];
  identifiers: IdentifierFactRow[];
  addresses: AddressFactRow[];
}

/**
 * Runs a statement prepared once per connection under `name`, so Postgres keeps its plan: the read
 * path's statement takes longer to plan than to run.
 */
export interface PreparedExecutor {
  prepared<R>(name: string, sql: string, params: unknown[]): Promise<R[]>;
}

/** A keyset position: the newest-first order is (occurred_at, profile_id, key) descending. */
export interface TimelinePosition {
  at: string;
  profileId: string;
  key: string;
}

const num = (v: string | null) => (v === null ? null : Number(v));
const isoOf = (v: Date | string) => new Date(v).toISOString();

/** What the API reads; every query is one round trip over a whole merge group. */
export class ProfileReadRepository {
  /** The service's schema (DATABASE_SCHEMA), quoted. */
  private readonly s: string;

  constructor(schema: string) {
    this.s = quoteIdent(schema);
  }

  /**
   * The live profile a target leads to, its view and (withPii) the encrypted facts its answer
   * decrypts, as one statement: the read path of GET /v1/profiles/{id} and of lookups.
   */
  async bundle(db: PreparedExecutor, target: ProfileTarget, withPii: boolean): Promise<ProfileBundle> {
    const byId = 'id' in target;
    const hit = byId
      ? `SELECT live_id, now() AS seen FROM ${this.s}.profiles WHERE profile_id = $1`
      : `SELECT p.live_id, max(i.last_seen_at) AS seen FROM ${this.s}.identifiers i JOIN ${this.s}.profiles p ON p.profile_id = i.profile_id
         WHERE i.type = $1 AND i.hash = $2 GROUP BY p.live_id`;
    const pii = withPii
      ? `,
         (SELECT json_agg(json_build_object('p', t.profile_id, 'n', t.name, 'm', t.mode, 'e', encode(t.value_enc, 'base64'), 't', t.event_time, 'i', t.event_id))
          FROM ${this.s}.traits t WHERE t.profile_id = ANY ((SELECT ids FROM m)::text[]) AND t.value_enc IS NOT NULL) AS traits,
         (SELECT json_agg(json_build_object('p', i.profile_id, 't', i.type, 'h', i.hash, 'e', encode(i.value_enc, 'base64'), 'f', i.first_seen_at, 'l', i.last_seen_at)
                          ORDER BY i.type, i.last_seen_at DESC, i.hash)
          FROM ${this.s}.identifiers i WHERE i.profile_id = ANY ((SELECT ids FROM m)::text[]) AND i.type IN ('email', 'phone')) AS identifiers,
         (SELECT json_agg(json_build_object('p', a.profile_id, 'h', a.hash, 'e', encode(a.value_enc, 'base64'), 'f', a.first_seen_at, 'l', a.last_seen_at)
                          ORDER BY a.last_seen_at DESC, a.hash)
          FROM ${this.s}.addresses a WHERE a.profile_id = ANY ((SELECT ids FROM m)::text[])) AS addresses`
      : '';
    type Enc = { p: string; e: string };
    const [row] = await db.prepared<{
      matches: string[];
      live_id: string | null;
      erased: boolean;
      view: { profile_id: string; version: number; traits: JsonObject; pii: Record<string, string>; computed: JsonObject; consents: JsonObject; merged_profile_ids: string[]; updated_at: string } | null;
      traits?: Array<Enc & { n: string; m: TraitMode; t: number; i: string }> | null;
      identifiers?: Array<Enc & { t: string; h: string; f: string; l: string }> | null;
      addresses?: Array<Enc & { h: string; f: string; l: string }> | null;
    }>(
      `profile-bundle/${this.s}/${byId ? 'id' : 'identifier'}${withPii ? '/pii' : ''}`,
      `WITH hit AS (${hit}),
       live AS (SELECT live_id FROM hit ORDER BY seen DESC, live_id LIMIT 1),
       v AS (SELECT profile_id, version, traits, pii, computed, consents, merged_profile_ids, updated_at FROM ${this.s}.views WHERE profile_id = (SELECT live_id FROM live)),
       m AS (SELECT profile_id || merged_profile_ids AS ids FROM v)
       SELECT (SELECT COALESCE(array_agg(live_id ORDER BY seen DESC, live_id), '{}') FROM hit) AS matches,
              (SELECT live_id FROM live) AS live_id,
              ${byId ? `EXISTS (SELECT 1 FROM ${this.s}.erased_profiles WHERE profile_id = $1)` : 'false'} AS erased,
              (SELECT row_to_json(v) FROM v) AS view${pii}`,
      byId ? [target.id] : [target.type, target.hash],
    );
    const v = row!.view;
    return {
      liveId: row!.live_id,
      matches: row!.matches,
      erased: row!.erased,
      view: v
        ? { profileId: v.profile_id, version: Number(v.version), traits: v.traits, pii: v.pii, computed: v.computed, consents: v.consents, mergedProfileIds: v.merged_profile_ids, updatedAt: isoOf(v.updated_at) }
        : null,
      piiTraits: (row!.traits ?? []).map((t) => ({ profileId: t.p, name: t.n, mode: t.m, value: '', valueEnc: Buffer.from(t.e, 'base64'), at: Number(t.t), eventId: t.i })),
      identifiers: (row!.identifiers ?? []).map((i) => ({ profileId: i.p, type: i.t, hash: i.h, valueEnc: Buffer.from(i.e, 'base64'), firstSeenAt: isoOf(i.f), lastSeenAt: isoOf(i.l) })),
      addresses: (row!.addresses ?? []).map((a) => ({ profileId: a.p, hash: a.h, valueEnc: Buffer.from(a.e, 'base64'), firstSeenAt: isoOf(a.f), lastSeenAt: isoOf(a.l) })),
    };
  }

  /** The live profile of `profileId`, or whether it was erased. */
  async liveOf(db: SqlExecutor, profileId: string): Promise<{ liveId: string } | { erased: boolean }> {
    const rows = await db.query<{ live_id: string | null; erased: boolean }>(
      `SELECT (SELECT live_id FROM ${this.s}.profiles WHERE profile_id = $1) AS live_id,
              EXISTS (SELECT 1 FROM ${this.s}.erased_profiles WHERE profile_id = $1) AS erased`,
      [profileId],
    );
    const row = rows[0]!;
    return row.live_id ? { liveId: row.live_id } : { erased: row.erased };
  }

  async traits(db: SqlExecutor, profileIds: readonly string[], onlyEncrypted = false): Promise<TraitFactRow[]> {
    const rows = await db.query<{ profile_id: string; name: string; mode: TraitMode; value: JsonValue; value_enc: Buffer | null; event_time: string; event_id: string }>(
      `SELECT profile_id, name, mode, value, value_enc, event_time::text AS event_time, event_id FROM ${this.s}.traits
       WHERE profile_id = ANY($1::text[]) ${onlyEncrypted ? 'AND value_enc IS NOT NULL' : ''}`,
      [profileIds],
    );
    // An encrypted fact stands in with a placeholder value: folding must not take it for an unset.
    return rows.map((r) => ({ profileId: r.profile_id, name: r.name, mode: r.mode, value: r.value_enc ? '' : (r.value ?? null), valueEnc: r.value_enc, at: Number(r.event_time), eventId: r.event_id }));
  }

  async identifiers(db: SqlExecutor, profileIds: readonly string[], types?: readonly string[]): Promise<IdentifierFactRow[]> {
    const rows = await db.query<{ profile_id: string; type: string; hash: string; value_enc: Buffer; first_seen_at: Date; last_seen_at: Date }>(
      `SELECT profile_id, type, hash, value_enc, first_seen_at, last_seen_at FROM ${this.s}.identifiers
       WHERE profile_id = ANY($1::text[]) ${types ? 'AND type = ANY($2::text[])' : ''} ORDER BY type, last_seen_at DESC, hash`,
      types ? [profileIds, types] : [profileIds],
    );
    return rows.map((r) => ({ profileId: r.profile_id, type: r.type, hash: r.hash, valueEnc: r.value_enc, firstSeenAt: isoOf(r.first_seen_at), lastSeenAt: isoOf(r.last_seen_at) }));
  }

  async addresses(db: SqlExecutor, profileIds: readonly string[]): Promise<AddressFactRow[]> {
    const rows = await db.query<{ profile_id: string; hash: string; value_enc: Buffer; first_seen_at: Date; last_seen_at: Date }>(
      `SELECT profile_id, hash, value_enc, first_seen_at, last_seen_at FROM ${this.s}.addresses WHERE profile_id = ANY($1::text[]) ORDER BY last_seen_at DESC, hash`,
      [profileIds],
    );
    return rows.map((r) => ({ profileId: r.profile_id, hash: r.hash, valueEnc: r.value_enc, firstSeenAt: isoOf(r.first_seen_at), lastSeenAt: isoOf(r.last_seen_at) }));
  }

  async orders(db: SqlExecutor, profileIds: readonly string[], limit: number, after: TimelinePosition | null): Promise<OrderView[]> {
    const rows = await db.query<{
      profile_id: string; order_key: string; order_id: string | null; event_id: string; occurred_at: Date; revenue: string; currency: string; discount: string | null;
      tax: string | null; shipping: string | null; coupon: string | null; store_id: string | null; channel: string | null; source_id: string; items: JsonValue;
      refunded: string | null; whole: boolean | null; cancelled: boolean | null;
    }>(
      `SELECT o.profile_id, o.order_key, o.order_id, o.event_id, o.occurred_at, o.revenue::text AS revenue, o.currency, o.discount::text AS discount, o.tax::text AS tax,
              o.shipping::text AS shipping, o.coupon, o.store_id, o.channel, o.source_id, o.items, a.refunded::text AS refunded, a.whole, a.cancelled
       FROM ${this.s}.orders o
       LEFT JOIN LATERAL (
         SELECT sum(x.amount) FILTER (WHERE x.kind = 'refunded') AS refunded, bool_or(x.kind = 'refunded' AND x.amount IS NULL) AS whole, bool_or(x.kind = 'cancelled') AS cancelled,
                count(*) AS n
         FROM ${this.s}.order_adjustments x WHERE x.profile_id = ANY($1::text[]) AND x.order_key = o.order_key
       ) a ON a.n > 0
       WHERE o.profile_id = ANY($1::text[])
       ${after ? `AND (o.occurred_at, o.profile_id COLLATE "C", o.order_key COLLATE "C") < ($3::timestamptz, $4 COLLATE "C", $5 COLLATE "C")` : ''}
       ORDER BY o.occurred_at DESC, o.profile_id COLLATE "C" DESC, o.order_key COLLATE "C" DESC LIMIT $2`,
      after ? [profileIds, limit, after.at, after.profileId, after.key] : [profileIds, limit],
    );
    return rows.map((r) => {
      const revenue = Number(r.revenue);
      const refunded = r.whole ? revenue : r.refunded === null ? null : Number(r.refunded);
      return {
        profileId: r.profile_id,
        orderKey: r.order_key,
        orderId: r.order_id,
        eventId: r.event_id,
        occurredAt: isoOf(r.occurred_at),
        revenue,
        currency: r.currency,
        discount: num(r.discount),
        tax: num(r.tax),
        shipping: num(r.shipping),
        coupon: r.coupon,
        storeId: r.store_id,
        channel: r.channel,
        sourceId: r.source_id,
        items: r.items,
        ...orderStatus({ revenue, refunded, cancelled: r.cancelled === true }),
      };
    });
  }

  async interactions(db: SqlExecutor, profileIds: readonly string[], limit: number, after: TimelinePosition | null): Promise<InteractionFactRow[]> {
    const rows = await db.query<{ profile_id: string; interaction_id: string; occurred_at: Date; channel: string | null; type: string; summary_enc: Buffer | null; agent: string | null; satisfaction: number | null; source_id: string }>(
      `SELECT profile_id, interaction_id, occurred_at, channel, type, summary_enc, agent, satisfaction, source_id
       FROM ${this.s}.interactions WHERE profile_id = ANY($1::text[])
       ${after ? `AND (occurred_at, profile_id COLLATE "C", interaction_id COLLATE "C") < ($3::timestamptz, $4 COLLATE "C", $5 COLLATE "C")` : ''}
       ORDER BY occurred_at DESC, profile_id COLLATE "C" DESC, interaction_id COLLATE "C" DESC LIMIT $2`,
      after ? [profileIds, limit, after.at, after.profileId, after.key] : [profileIds, limit],
    );
    return rows.map((r) => ({
      profileId: r.profile_id,
      id: r.interaction_id,
      occurredAt: isoOf(r.occurred_at),
      channel: r.channel,
      type: r.type,
      summaryEnc: r.summary_enc,
      agent: r.agent,
      satisfaction: r.satisfaction,
      sourceId: r.source_id,
    }));
  }

  async consents(db: SqlExecutor, profileIds: readonly string[]): Promise<Array<{ profileId: string; purpose: string; channel: string; granted: boolean; at: number; eventId: string; source: string }>> {
    const rows = await db.query<{ profile_id: string; purpose: string; channel: string; granted: boolean; event_time: string; event_id: string; source: string }>(
      `SELECT profile_id, purpose, channel, granted, event_time::text AS event_time, event_id, source FROM ${this.s}.consents WHERE profile_id = ANY($1::text[])`,
      [profileIds],
    );
    return rows.map((r) => ({ profileId: r.profile_id, purpose: r.purpose, channel: r.channel, granted: r.granted, at: Number(r.event_time), eventId: r.event_id, source: r.source }));
  }
}
