import { quoteIdent, type SqlExecutor } from '@cdp/kafka';
import type { AdjustedOrder, Affinity, ConsentFact, ForestNode, JsonObject, MergeRecord, OrderAdjustmentFact, OrderItem, ProfileView, SpendTotals, TraitFact } from '../domain';

/** Rows as the projection writes them; every write is one statement for the whole batch. */
export interface TraitRow extends TraitFact {
  readonly profileId: string;
  /** Set for personal traits (the value is then withheld from `value`). */
  readonly valueEnc: Buffer | null;
}

export interface IdentifierRow {
  readonly profileId: string;
  readonly type: string;
  readonly hash: string;
  readonly valueEnc: Buffer;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export interface AddressRow {
  readonly profileId: string;
  readonly hash: string;
  readonly valueEnc: Buffer;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export interface OrderRow {
  readonly profileId: string;
  readonly orderKey: string;
  readonly orderId: string | null;
  readonly eventId: string;
  readonly at: number;
  readonly revenue: number;
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

export interface InteractionRow {
  readonly profileId: string;
  readonly id: string;
  readonly at: number;
  readonly channel: string | null;
  readonly type: string;
  readonly summaryEnc: Buffer | null;
  readonly agent: string | null;
  readonly satisfaction: number | null;
  readonly sourceId: string;
}

export interface StoredView extends ProfileView {
  readonly profileId: string;
}

export interface MemberRow {
  readonly profileId: string;
  readonly liveId: string;
  readonly firstSeenAt: number | null;
  readonly lastSeenAt: number | null;
}

export interface StoredTrait extends TraitRow {
  readonly encrypted: boolean;
}

export interface GroupFactRows {
  members: MemberRow[];
  traits: StoredTrait[];
  consents: Array<ConsentFact & { profileId: string }>;
  spend: Array<SpendTotals & { profileId: string }>;
  affinities: Array<Affinity & { profileId: string }>;
  /** Orders of the group that refunds or cancellations of the group name (profileId: the order's holder). */
  adjustedOrders: Array<AdjustedOrder & { profileId: string }>;
  views: Map<string, StoredView>;
}

/** SQL for an epoch-milliseconds number (a JSON member of the batch's rows) as timestamptz; null stays null. */
const ts = (column: string) => `to_timestamp(${column} / 1000.0)`;
const ms = (value: Date | string | null): number | null => (value === null ? null : new Date(value).getTime());

/** Locks shared by every projection batch and taken exclusively by an erasure, so no batch writes facts of a profile being erased. */
const ERASURE_LOCK_SHARED_CALL = `pg_advisory_xact_lock_shared(hashtext('cdp.profile'), hashtext('erasure'))`;
export const ERASURE_LOCK_EXCLUSIVE = `SELECT pg_advisory_xact_lock(hashtext('cdp.profile'), hashtext('erasure'))`;

/** Set-based reads and writes of the projection, inside the batch's transaction. */
export class ProjectionRepository {
  /** The service's schema (DATABASE_SCHEMA), quoted. */
  private readonly s: string;

  constructor(schema: string) {
    this.s = quoteIdent(schema);
  }

  /**
   * Takes the erasure lock (shared: batches run side by side, an erasure waits for them and they for
   * it) and answers which of the ids were erased, in one round trip.
   */
  async lockAgainstErasure(tx: SqlExecutor, ids: readonly string[]): Promise<Set<string>> {
    const [row] = await tx.query<{ erased: string[] }>(
      `SELECT ${ERASURE_LOCK_SHARED_CALL}, ARRAY(SELECT profile_id FROM ${this.s}.erased_profiles WHERE profile_id = ANY($1::text[])) AS erased`,
      [ids],
    );
    return new Set(row?.erased ?? []);
  }

  /**
   * Creates missing profiles and widens their activity span; locks their rows, in id order. Returns
   * each one's live profile and whether this statement created it. A created profile is stored at
   * version 1 at once: it has no view yet, so the batch's refresh always announces it with version 1.
   */
  async touchProfiles(tx: SqlExecutor, spans: ReadonlyMap<string, { first: number; last: number }>): Promise<Map<string, { liveId: string; created: boolean }>> {
    if (spans.size === 0) return new Map();
    const rows = await tx.query<{ profile_id: string; live_id: string; created: boolean }>(
      `INSERT INTO ${this.s}.profiles AS p (profile_id, live_id, first_seen_at, last_seen_at, version)
       SELECT r.id, r.id, ${ts('r.f')}, ${ts('r.l')}, 1 FROM json_to_recordset($1::json) AS r(id text, f float8, l float8) ORDER BY r.id
       ON CONFLICT (profile_id) DO UPDATE SET
         first_seen_at = LEAST(p.first_seen_at, excluded.first_seen_at),
         last_seen_at = GREATEST(p.last_seen_at, excluded.last_seen_at)
       RETURNING profile_id, live_id, xmax = 0 AS created`,
      [JSON.stringify([...spans].map(([id, span]) => ({ id, f: span.first, l: span.last })))],
    );
    return new Map(rows.map((r) => [r.profile_id, { liveId: r.live_id, created: r.created }]));
  }

  /** Facts already folded per slot; a stored fact is replaced only by a newer `set` or an older `once`. */
  async upsertTraits(tx: SqlExecutor, rows: readonly TraitRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.traits AS t (profile_id, name, mode, value, value_enc, event_time, event_id)
       SELECT r.p, r.n, r.m, r.v, decode(r.e, 'base64'), r.t, r.i FROM json_to_recordset($1::json) AS r(p text, n text, m text, v jsonb, e text, t bigint, i text)
       ON CONFLICT (profile_id, name, mode) DO UPDATE SET
         value = excluded.value, value_enc = excluded.value_enc, event_time = excluded.event_time, event_id = excluded.event_id
       WHERE (excluded.mode = 'set' AND (excluded.event_time, excluded.event_id COLLATE "C") > (t.event_time, t.event_id COLLATE "C"))
          OR (excluded.mode = 'once' AND (excluded.event_time, excluded.event_id COLLATE "C") < (t.event_time, t.event_id COLLATE "C"))`,
      [JSON.stringify(rows.map((r) => ({ p: r.profileId, n: r.name, m: r.mode, v: r.valueEnc ? null : r.value, e: r.valueEnc?.toString('base64') ?? null, t: r.at, i: r.eventId })))],
    );
  }

  async upsertIdentifiers(tx: SqlExecutor, rows: readonly IdentifierRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.identifiers AS i (profile_id, type, hash, value_enc, first_seen_at, last_seen_at)
       SELECT r.p, r.t, r.h, decode(r.e, 'base64'), ${ts('r.f')}, ${ts('r.l')} FROM json_to_recordset($1::json) AS r(p text, t text, h text, e text, f float8, l float8)
       ON CONFLICT (profile_id, type, hash) DO UPDATE SET
         first_seen_at = LEAST(i.first_seen_at, excluded.first_seen_at), last_seen_at = GREATEST(i.last_seen_at, excluded.last_seen_at)
       -- Last seen is kept to the hour: most events repeat known identifiers, and rewriting their rows on every event costs more than it tells.
       WHERE excluded.first_seen_at < i.first_seen_at OR excluded.last_seen_at > i.last_seen_at + interval '1 hour'`,
      [JSON.stringify(rows.map((r) => ({ p: r.profileId, t: r.type, h: r.hash, e: r.valueEnc.toString('base64'), f: r.firstSeen, l: r.lastSeen })))],
    );
  }

  async upsertAddresses(tx: SqlExecutor, rows: readonly AddressRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.addresses AS a (profile_id, hash, value_enc, first_seen_at, last_seen_at)
       SELECT r.p, r.h, decode(r.e, 'base64'), ${ts('r.f')}, ${ts('r.l')} FROM json_to_recordset($1::json) AS r(p text, h text, e text, f float8, l float8)
       ON CONFLICT (profile_id, hash) DO UPDATE SET
         first_seen_at = LEAST(a.first_seen_at, excluded.first_seen_at), last_seen_at = GREATEST(a.last_seen_at, excluded.last_seen_at)`,
      [JSON.stringify(rows.map((r) => ({ p: r.profileId, h: r.hash, e: r.valueEnc.toString('base64'), f: r.firstSeen, l: r.lastSeen })))],
    );
  }

  async upsertConsents(tx: SqlExecutor, rows: ReadonlyArray<ConsentFact & { profileId: string }>): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.consents AS c (profile_id, purpose, channel, granted, event_time, event_id, source)
       SELECT r.p, r.u, r.c, r.g, r.t, r.i, r.s FROM json_to_recordset($1::json) AS r(p text, u text, c text, g boolean, t bigint, i text, s text)
       ON CONFLICT (profile_id, purpose, channel) DO UPDATE SET
         granted = excluded.granted, event_time = excluded.event_time, event_id = excluded.event_id, source = excluded.source
       WHERE (excluded.event_time, excluded.event_id COLLATE "C") > (c.event_time, c.event_id COLLATE "C")`,
      [JSON.stringify(rows.map((r) => ({ p: r.profileId, u: r.purpose, c: r.channel, g: r.granted, t: r.at, i: r.eventId, s: r.source })))],
    );
  }

  /** Inserts orders not seen before; returns the keys (`profileId/orderKey`) of those inserted. */
  async insertOrders(tx: SqlExecutor, rows: readonly OrderRow[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const inserted = await tx.query<{ profile_id: string; order_key: string }>(
      `INSERT INTO ${this.s}.orders (profile_id, order_key, order_id, event_id, occurred_at, revenue, currency, discount, tax, shipping, coupon, store_id, channel, source_id, items)
       SELECT r.p, r.k, r.o, r.e, ${ts('r.at')}, r.rev, r.cur, r.dis, r.tax, r.shp, r.cpn, r.st, r.ch, r.src, r.items
       FROM json_to_recordset($1::json) AS r(p text, k text, o text, e text, at float8, rev numeric, cur text, dis numeric, tax numeric, shp numeric, cpn text, st text, ch text, src text, items jsonb)
       ON CONFLICT (profile_id, order_key) DO NOTHING
       RETURNING profile_id, order_key`,
      [
        JSON.stringify(
          rows.map((r) => ({
            p: r.profileId,
            k: r.orderKey,
            o: r.orderId,
            e: r.eventId,
            at: r.at,
            rev: r.revenue,
            cur: r.currency,
            dis: r.discount,
            tax: r.tax,
            shp: r.shipping,
            cpn: r.coupon,
            st: r.storeId,
            ch: r.channel,
            src: r.sourceId,
            items: r.items,
          })),
        ),
      ],
    );
    return new Set(inserted.map((r) => `${r.profile_id}/${r.order_key}`));
  }

  async addSpend(tx: SqlExecutor, rows: ReadonlyArray<SpendTotals & { profileId: string }>): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.spend AS s (profile_id, currency, orders, revenue, last_order_at)
       SELECT r.p, r.c, r.o, r.r, ${ts('r.l')} FROM json_to_recordset($1::json) AS r(p text, c text, o int, r numeric, l float8)
       ON CONFLICT (profile_id, currency) DO UPDATE SET
         orders = s.orders + excluded.orders, revenue = s.revenue + excluded.revenue, last_order_at = GREATEST(s.last_order_at, excluded.last_order_at)`,
      [JSON.stringify(rows.map((r) => ({ p: r.profileId, c: r.currency, o: r.orders, r: r.revenue, l: r.lastOrderAt })))],
    );
  }

  async addAffinities(tx: SqlExecutor, rows: ReadonlyArray<Affinity & { profileId: string }>): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.affinities AS a (profile_id, kind, value, events, orders, quantity, last_at)
       SELECT r.p, r.k, r.v, r.e, r.o, r.q, ${ts('r.l')} FROM json_to_recordset($1::json) AS r(p text, k text, v text, e int, o int, q float8, l float8)
       ON CONFLICT (profile_id, kind, value) DO UPDATE SET
         events = a.events + excluded.events, orders = a.orders + excluded.orders, quantity = a.quantity + excluded.quantity,
         last_at = GREATEST(a.last_at, excluded.last_at)`,
      [JSON.stringify(rows.map((r) => ({ p: r.profileId, k: r.kind, v: r.value, e: r.events, o: r.orders, q: r.quantity, l: r.lastAt })))],
    );
  }

  /** Refunds and cancellations, once each (by event id). */
  async insertAdjustments(tx: SqlExecutor, rows: ReadonlyArray<OrderAdjustmentFact & { profileId: string }>): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.order_adjustments (profile_id, order_key, event_id, kind, amount, occurred_at, source_id)
       SELECT r.p, r.k, r.e, r.kind, r.a, ${ts('r.at')}, r.src FROM json_to_recordset($1::json) AS r(p text, k text, e text, kind text, a numeric, at float8, src text)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows.map((r) => ({ p: r.profileId, k: r.orderKey, e: r.eventId, kind: r.kind, a: r.amount, at: r.at, src: r.sourceId })))],
    );
  }

  async insertInteractions(tx: SqlExecutor, rows: readonly InteractionRow[]): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.interactions (profile_id, interaction_id, occurred_at, channel, type, summary_enc, agent, satisfaction, source_id)
       SELECT r.p, r.i, ${ts('r.at')}, r.ch, r.t, decode(r.e, 'base64'), r.ag, r.sat, r.src
       FROM json_to_recordset($1::json) AS r(p text, i text, at float8, ch text, t text, e text, ag text, sat float8, src text)
       ON CONFLICT (profile_id, interaction_id) DO NOTHING`,
      [
        JSON.stringify(
          rows.map((r) => ({ p: r.profileId, i: r.id, at: r.at, ch: r.channel, t: r.type, e: r.summaryEnc?.toString('base64') ?? null, ag: r.agent, sat: r.satisfaction, src: r.sourceId })),
        ),
      ],
    );
  }

  // ---- the unified view -------------------------------------------------------------------------

  /** Locks the live profiles' rows in id order and returns those still live, with their versions. */
  async lockLive(tx: SqlExecutor, liveIds: readonly string[]): Promise<Map<string, { liveId: string; version: number }>> {
    if (liveIds.length === 0) return new Map();
    const rows = await tx.query<{ profile_id: string; live_id: string; version: string }>(
      `SELECT profile_id, live_id, version::text AS version FROM ${this.s}.profiles WHERE profile_id = ANY($1::text[]) ORDER BY profile_id FOR UPDATE`,
      [[...liveIds].sort()],
    );
    return new Map(rows.map((r) => [r.profile_id, { liveId: r.live_id, version: Number(r.version) }]));
  }

  /**
   * Everything the views of these live profiles are built from, in one round trip: the members of
   * each group with their activity span, their trait facts (ciphertexts only for `withCiphertext`),
   * consents, spend and affinity counters, and the stored views.
   */
  async groupFacts(tx: SqlExecutor, liveIds: readonly string[], withCiphertext: readonly string[]): Promise<GroupFactRows> {
    const out: GroupFactRows = { members: [], traits: [], consents: [], spend: [], affinities: [], adjustedOrders: [], views: new Map() };
    if (liveIds.length === 0) return out;
    const rows = await tx.query<{ k: string; profile_id: string; d: Record<string, unknown> }>(
      `WITH m AS (SELECT profile_id, live_id, first_seen_at, last_seen_at FROM ${this.s}.profiles WHERE live_id = ANY($1::text[]))
       SELECT 'm' AS k, m.profile_id, jsonb_build_object('live', m.live_id, 'first', m.first_seen_at, 'last', m.last_seen_at) AS d FROM m
       UNION ALL
       SELECT 't', t.profile_id, jsonb_build_object('n', t.name, 'm', t.mode, 'v', t.value, 'enc', t.value_enc IS NOT NULL,
              'c', CASE WHEN t.name = ANY($2::text[]) THEN encode(t.value_enc, 'base64') END, 'at', t.event_time, 'id', t.event_id)
       FROM ${this.s}.traits t JOIN m ON m.profile_id = t.profile_id
       UNION ALL
       SELECT 'c', c.profile_id, jsonb_build_object('p', c.purpose, 'ch', c.channel, 'g', c.granted, 'at', c.event_time, 'id', c.event_id, 's', c.source)
       FROM ${this.s}.consents c JOIN m ON m.profile_id = c.profile_id
       UNION ALL
       SELECT 's', s.profile_id, jsonb_build_object('cur', s.currency, 'o', s.orders, 'r', s.revenue, 'last', s.last_order_at)
       FROM ${this.s}.spend s JOIN m ON m.profile_id = s.profile_id
       UNION ALL
       SELECT 'a', a.profile_id, jsonb_build_object('k', a.kind, 'v', a.value, 'e', a.events, 'o', a.orders, 'q', a.quantity, 'at', a.last_at)
       FROM ${this.s}.affinities a JOIN m ON m.profile_id = a.profile_id
       UNION ALL
       SELECT 'x', o.profile_id, jsonb_build_object('cur', o.currency, 'r', o.revenue, 'ref', r.refunded, 'can', x.cancelled)
       FROM (SELECT m.live_id, a.order_key, sum(a.amount) FILTER (WHERE a.kind = 'refunded') AS refunded,
                    bool_or(a.kind = 'refunded' AND a.amount IS NULL) AS whole, bool_or(a.kind = 'cancelled') AS cancelled
             FROM ${this.s}.order_adjustments a JOIN m ON m.profile_id = a.profile_id GROUP BY m.live_id, a.order_key) x
       JOIN m ON m.live_id = x.live_id JOIN ${this.s}.orders o ON o.profile_id = m.profile_id AND o.order_key = x.order_key
       CROSS JOIN LATERAL (SELECT CASE WHEN x.whole THEN o.revenue ELSE x.refunded END AS refunded) r
       UNION ALL
       SELECT 'v', v.profile_id, jsonb_build_object('traits', v.traits, 'pii', v.pii, 'computed', v.computed, 'consents', v.consents, 'merged', v.merged_profile_ids)
       FROM ${this.s}.views v WHERE v.profile_id = ANY($1::text[])`,
      [liveIds, withCiphertext],
    );
    const at = (v: unknown) => (v === null || v === undefined ? null : Date.parse(v as string));
    for (const { k, profile_id: profileId, d } of rows) {
      switch (k) {
        case 'm':
          out.members.push({ profileId, liveId: d.live as string, firstSeenAt: at(d.first), lastSeenAt: at(d.last) });
          break;
        case 't': {
          const encrypted = d.enc as boolean;
          out.traits.push({
            profileId,
            name: d.n as string,
            mode: d.m as TraitFact['mode'],
            // Encrypted facts stand in with a placeholder; the view only fingerprints them.
            value: encrypted ? '' : ((d.v ?? null) as TraitFact['value']),
            valueEnc: typeof d.c === 'string' ? Buffer.from(d.c, 'base64') : null,
            encrypted,
            at: Number(d.at),
            eventId: d.id as string,
          });
          break;
        }
        case 'c':
          out.consents.push({ profileId, purpose: d.p as string, channel: d.ch as ConsentFact['channel'], granted: d.g as boolean, at: Number(d.at), eventId: d.id as string, source: d.s as string });
          break;
        case 's':
          out.spend.push({ profileId, currency: d.cur as string, orders: Number(d.o), revenue: Number(d.r), lastOrderAt: at(d.last) });
          break;
        case 'a':
          out.affinities.push({ profileId, kind: d.k as Affinity['kind'], value: d.v as string, events: Number(d.e), orders: Number(d.o), quantity: Number(d.q), lastAt: at(d.at)! });
          break;
        case 'x':
          out.adjustedOrders.push({ profileId, currency: d.cur as string, revenue: Number(d.r), refunded: d.ref === null || d.ref === undefined ? null : Number(d.ref), cancelled: d.can === true });
          break;
        case 'v':
          out.views.set(profileId, { profileId, traits: d.traits as JsonObject, pii: d.pii as Record<string, string>, computed: d.computed as JsonObject, consents: d.consents as JsonObject, mergedProfileIds: d.merged as string[] });
          break;
        default:
          throw new Error(`unexpected row kind ${k}`);
      }
    }
    return out;
  }

  async members(tx: SqlExecutor, liveIds: readonly string[]): Promise<MemberRow[]> {
    if (liveIds.length === 0) return [];
    const rows = await tx.query<{ profile_id: string; live_id: string; first_seen_at: Date | null; last_seen_at: Date | null }>(
      `SELECT profile_id, live_id, first_seen_at, last_seen_at FROM ${this.s}.profiles WHERE live_id = ANY($1::text[])`,
      [liveIds],
    );
    return rows.map((r) => ({ profileId: r.profile_id, liveId: r.live_id, firstSeenAt: ms(r.first_seen_at), lastSeenAt: ms(r.last_seen_at) }));
  }

  /** Stored trait facts of the given profiles; ciphertexts only for the names asked for. */
  async traitsOf(tx: SqlExecutor, profileIds: readonly string[], withCiphertext: readonly string[]): Promise<StoredTrait[]> {
    if (profileIds.length === 0) return [];
    const rows = await tx.query<{ profile_id: string; name: string; mode: 'set' | 'once'; value: unknown; value_enc: Buffer | null; encrypted: boolean; event_time: string; event_id: string }>(
      `SELECT profile_id, name, mode, value, CASE WHEN name = ANY($2::text[]) THEN value_enc END AS value_enc, value_enc IS NOT NULL AS encrypted,
              event_time::text AS event_time, event_id
       FROM ${this.s}.traits WHERE profile_id = ANY($1::text[])`,
      [profileIds, withCiphertext],
    );
    return rows.map((r) => ({
      profileId: r.profile_id,
      name: r.name,
      mode: r.mode,
      // Encrypted facts stand in with a placeholder; the view only fingerprints them.
      value: r.encrypted ? '' : ((r.value ?? null) as TraitFact['value']),
      valueEnc: r.value_enc,
      encrypted: r.encrypted,
      at: Number(r.event_time),
      eventId: r.event_id,
    }));
  }

  async consentsOf(tx: SqlExecutor, profileIds: readonly string[]): Promise<Array<ConsentFact & { profileId: string }>> {
    if (profileIds.length === 0) return [];
    const rows = await tx.query<{ profile_id: string; purpose: string; channel: ConsentFact['channel']; granted: boolean; event_time: string; event_id: string; source: string }>(
      `SELECT profile_id, purpose, channel, granted, event_time::text AS event_time, event_id, source FROM ${this.s}.consents WHERE profile_id = ANY($1::text[])`,
      [profileIds],
    );
    return rows.map((r) => ({ profileId: r.profile_id, purpose: r.purpose, channel: r.channel, granted: r.granted, at: Number(r.event_time), eventId: r.event_id, source: r.source }));
  }

  async spendOf(tx: SqlExecutor, profileIds: readonly string[]): Promise<Array<SpendTotals & { profileId: string }>> {
    if (profileIds.length === 0) return [];
    const rows = await tx.query<{ profile_id: string; currency: string; orders: number; revenue: string; last_order_at: Date | null }>(
      `SELECT profile_id, currency, orders, revenue::text AS revenue, last_order_at FROM ${this.s}.spend WHERE profile_id = ANY($1::text[])`,
      [profileIds],
    );
    return rows.map((r) => ({ profileId: r.profile_id, currency: r.currency, orders: Number(r.orders), revenue: Number(r.revenue), lastOrderAt: ms(r.last_order_at) }));
  }

  async affinitiesOf(tx: SqlExecutor, profileIds: readonly string[]): Promise<Array<Affinity & { profileId: string }>> {
    if (profileIds.length === 0) return [];
    const rows = await tx.query<{ profile_id: string; kind: Affinity['kind']; value: string; events: number; orders: number; quantity: number; last_at: Date }>(
      `SELECT profile_id, kind, value, events, orders, quantity, last_at FROM ${this.s}.affinities WHERE profile_id = ANY($1::text[])`,
      [profileIds],
    );
    return rows.map((r) => ({ profileId: r.profile_id, kind: r.kind, value: r.value, events: Number(r.events), orders: Number(r.orders), quantity: Number(r.quantity), lastAt: ms(r.last_at)! }));
  }

  async views(tx: SqlExecutor, profileIds: readonly string[]): Promise<Map<string, StoredView>> {
    if (profileIds.length === 0) return new Map();
    const rows = await tx.query<{ profile_id: string; traits: JsonObject; pii: Record<string, string>; computed: JsonObject; consents: JsonObject; merged_profile_ids: string[] }>(
      `SELECT profile_id, traits, pii, computed, consents, merged_profile_ids FROM ${this.s}.views WHERE profile_id = ANY($1::text[])`,
      [profileIds],
    );
    return new Map(
      rows.map((r) => [r.profile_id, { profileId: r.profile_id, traits: r.traits, pii: r.pii, computed: r.computed, consents: r.consents, mergedProfileIds: r.merged_profile_ids }]),
    );
  }

  async saveViews(tx: SqlExecutor, rows: ReadonlyArray<{ profileId: string; version: number; view: ProfileView }>): Promise<void> {
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.views AS v (profile_id, version, traits, pii, computed, consents, merged_profile_ids, updated_at)
       SELECT r.id, r.version, r.traits, r.pii, r.computed, r.consents, r.members, now()
       FROM json_to_recordset($1::json) AS r(id text, version bigint, traits jsonb, pii jsonb, computed jsonb, consents jsonb, members text[])
       ON CONFLICT (profile_id) DO UPDATE SET version = excluded.version, traits = excluded.traits, pii = excluded.pii, computed = excluded.computed,
         consents = excluded.consents, merged_profile_ids = excluded.merged_profile_ids, updated_at = now()`,
      [
        JSON.stringify(
          rows.map((r) => ({ id: r.profileId, version: r.version, traits: r.view.traits, pii: r.view.pii, computed: r.view.computed, consents: r.view.consents, members: r.view.mergedProfileIds })),
        ),
      ],
    );
  }

  async deleteViews(tx: SqlExecutor, profileIds: readonly string[]): Promise<void> {
    if (profileIds.length === 0) return;
    await tx.query(`DELETE FROM ${this.s}.views WHERE profile_id = ANY($1::text[])`, [profileIds]);
  }

  async setVersions(tx: SqlExecutor, versions: ReadonlyMap<string, number>): Promise<void> {
    if (versions.size === 0) return;
    await tx.query(
      `UPDATE ${this.s}.profiles p SET version = u.version FROM unnest($1::text[], $2::bigint[]) AS u(id, version) WHERE p.profile_id = u.id`,
      [[...versions.keys()], [...versions.values()]],
    );
  }

  // ---- merges and splits ------------------------------------------------------------------------

  /** Every node of the trees the ids belong to, their rows locked in id order. */
  async forest(tx: SqlExecutor, ids: readonly string[]): Promise<Array<ForestNode & { liveId: string; version: number }>> {
    if (ids.length === 0) return [];
    const rows = await tx.query<{ profile_id: string; parent_id: string | null; merge_id: string | null; live_id: string; version: string }>(
      `SELECT profile_id, parent_id, merge_id, live_id, version::text AS version FROM ${this.s}.profiles
       WHERE live_id IN (SELECT live_id FROM ${this.s}.profiles WHERE profile_id = ANY($1::text[]))
       ORDER BY profile_id FOR UPDATE`,
      [ids],
    );
    return rows.map((r) => ({ profileId: r.profile_id, parentId: r.parent_id, mergeId: r.merge_id, liveId: r.live_id, version: Number(r.version) }));
  }

  async merges(tx: SqlExecutor, mergeIds: readonly string[]): Promise<MergeRecord[]> {
    if (mergeIds.length === 0) return [];
    const rows = await tx.query<{ merge_id: string; survivor_id: string | null; merged_ids: string[]; applied: boolean; undone: boolean }>(
      `SELECT merge_id, survivor_id, merged_ids, applied, undone FROM ${this.s}.merges WHERE merge_id = ANY($1::text[]) FOR UPDATE`,
      [mergeIds],
    );
    return rows.map((r) => ({ mergeId: r.merge_id, survivorId: r.survivor_id, mergedIds: r.merged_ids, applied: r.applied, undone: r.undone }));
  }

  async saveMerges(tx: SqlExecutor, records: readonly MergeRecord[]): Promise<void> {
    if (records.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.merges AS m (merge_id, survivor_id, merged_ids, applied, undone, updated_at)
       SELECT u.id, u.survivor, ARRAY(SELECT jsonb_array_elements_text(u.merged)), u.applied, u.undone, now()
       FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::boolean[], $5::boolean[]) AS u(id, survivor, merged, applied, undone)
       ON CONFLICT (merge_id) DO UPDATE SET survivor_id = excluded.survivor_id, merged_ids = excluded.merged_ids, applied = excluded.applied,
         undone = excluded.undone, updated_at = now()`,
      [records.map((r) => r.mergeId), records.map((r) => r.survivorId), records.map((r) => JSON.stringify(r.mergedIds)), records.map((r) => r.applied), records.map((r) => r.undone)],
    );
  }

  /**
   * Writes links and live roots of the nodes (creating profiles never seen before). Returns the
   * nodes whose row already existed, with their version: one the caller had not read was created
   * meanwhile by a batch of resolved events (this statement waited for it), as a live profile.
   */
  async saveNodes(tx: SqlExecutor, nodes: ReadonlyArray<ForestNode & { liveId: string }>): Promise<Map<string, number>> {
    if (nodes.length === 0) return new Map();
    const rows = await tx.query<{ profile_id: string; existed: boolean; version: string }>(
      `INSERT INTO ${this.s}.profiles AS p (profile_id, parent_id, merge_id, live_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ORDER BY 1
       ON CONFLICT (profile_id) DO UPDATE SET parent_id = excluded.parent_id, merge_id = excluded.merge_id, live_id = excluded.live_id
       RETURNING profile_id, xmax <> 0 AS existed, version::text AS version`,
      [nodes.map((n) => n.profileId), nodes.map((n) => n.parentId), nodes.map((n) => n.mergeId), nodes.map((n) => n.liveId)],
    );
    return new Map(rows.filter((r) => r.existed).map((r) => [r.profile_id, Number(r.version)]));
  }

  /** Identity moved these identifiers to `to` in a split: they leave the other profiles of the group. */
  async moveIdentifiers(
    tx: SqlExecutor,
    from: readonly string[],
    to: string,
    items: ReadonlyArray<{ type: string; hash: string; valueEnc: Buffer }>,
    at: number,
  ): Promise<void> {
    if (items.length === 0) return;
    await tx.query(
      `WITH moved AS (
         DELETE FROM ${this.s}.identifiers i USING unnest($2::text[], $3::text[]) AS u(type, hash)
         WHERE i.profile_id = ANY($1::text[]) AND i.type = u.type AND i.hash = u.hash
         RETURNING i.type, i.hash, i.first_seen_at, i.last_seen_at
       )
       INSERT INTO ${this.s}.identifiers AS i (profile_id, type, hash, value_enc, first_seen_at, last_seen_at)
       SELECT $4, u.type, u.hash, u.enc, COALESCE(min(m.first_seen_at), $5::timestamptz), COALESCE(max(m.last_seen_at), $5::timestamptz)
       FROM unnest($2::text[], $3::text[], $6::bytea[]) AS u(type, hash, enc) LEFT JOIN moved m ON m.type = u.type AND m.hash = u.hash
       GROUP BY u.type, u.hash, u.enc
       ON CONFLICT (profile_id, type, hash) DO UPDATE SET
         first_seen_at = LEAST(i.first_seen_at, excluded.first_seen_at), last_seen_at = GREATEST(i.last_seen_at, excluded.last_seen_at)`,
      [from, items.map((i) => i.type), items.map((i) => i.hash), to, new Date(at).toISOString(), items.map((i) => i.valueEnc)],
    );
  }
}
