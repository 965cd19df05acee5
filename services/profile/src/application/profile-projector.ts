import { Injectable } from '@nestjs/common';
import type { ResolvedEvent } from '@cdp/contracts';
import { batchResult, type BatchResult, type ConsumedBatch, drop, type MessageResult } from '@cdp/kafka';
import { type AdjustedOrder, type Affinity, type ConsentFact, type EventFacts, factsOf, foldConsents, foldTraits, isPiiTrait, type OrderAdjustmentFact, type SpendTotals, type TraitFact } from '../domain';
import { type AddressRow, type IdentifierRow, type InteractionRow, type OrderRow, ProjectionRepository, type TraitRow } from '../persistence/projection.repository';
import { canonicalJson, PiiVault } from './pii-vault';
import { ProfileMetrics } from './profile.metrics';
import { type CreatedProfileFacts, type RefreshCause, ViewRefresher } from './view-refresher';

/**
 * Projects one Kafka batch of resolved events in the batch's transaction: the domain reads the facts
 * of each event, the batch folds them per profile, a handful of set-based statements write them
 * (attributed to the profile each event was resolved to), and the views of the live profiles they
 * touched are rebuilt, their ProfileChanged queued in the outbox.
 */
@Injectable()
export class ProfileProjector {
  constructor(
    private readonly repository: ProjectionRepository,
    private readonly vault: PiiVault,
    private readonly refresher: ViewRefresher,
    private readonly metrics: ProfileMetrics,
  ) {}

  async project(batch: ConsumedBatch<ResolvedEvent>): Promise<BatchResult> {
    const { tx } = batch;
    const all = batch.messages.map((m) => ({ eventId: m.eventId, facts: factsOf(m.value) }));
    const erased = await this.repository.lockAgainstErasure(tx, [...new Set(all.map((e) => e.facts.profileId))]);
    const verdicts: Array<[string, MessageResult]> = [];
    const events: EventFacts[] = [];
    for (const { eventId, facts } of all) {
      if (erased.has(facts.profileId)) verdicts.push([eventId, drop('PROFILE_ERASED')]);
      else events.push(facts);
    }
    if (events.length === 0) return batchResult(verdicts);

    const spans = new Map<string, { first: number; last: number }>();
    for (const e of events) {
      const span = spans.get(e.profileId);
      if (!span) spans.set(e.profileId, { first: e.at, last: e.at });
      else spans.set(e.profileId, { first: Math.min(span.first, e.at), last: Math.max(span.last, e.at) });
    }
    const touched = await this.repository.touchProfiles(tx, spans);

    const needsKey = new Set<string>();
    for (const e of events) {
      if (e.identifiers.length > 0 || e.addresses.length > 0 || e.interaction?.summary || e.traits.some((t) => isPiiTrait(t.name) && t.value !== null)) needsKey.add(e.profileId);
    }
    const keys = await this.vault.keysFor(tx, needsKey, true);

    const traits = this.traitRows(events, keys);
    const consents = consentRows(events);
    await this.repository.upsertTraits(tx, traits);
    await this.repository.upsertIdentifiers(tx, this.identifierRows(events, keys));
    await this.repository.upsertAddresses(tx, this.addressRows(events, keys));
    await this.repository.upsertConsents(tx, consents);
    const orders = orderRows(events);
    const inserted = await this.repository.insertOrders(tx, orders);
    const newOrders = orders.filter((o) => inserted.has(`${o.profileId}/${o.orderKey}`));
    const spend = spendRows(newOrders);
    const affinities = affinityRows(events, newOrders);
    await this.repository.addSpend(tx, spend);
    await this.repository.addAffinities(tx, affinities);
    const adjustments = events.flatMap((e) => (e.orderAdjustment ? [{ ...e.orderAdjustment, profileId: e.profileId }] : []));
    await this.repository.insertAdjustments(tx, adjustments);
    await this.repository.insertInteractions(tx, this.interactionRows(events, keys));

    const causes = new Map<string, RefreshCause>();
    for (const e of events) causes.set(touched.get(e.profileId)?.liveId ?? e.profileId, { eventId: e.eventId, at: e.at });
    // What the batch wrote for the profiles it created is all there is of them: no read-back needed.
    const created = new Map<string, CreatedProfileFacts & { traits: TraitFact[]; consents: ConsentFact[]; spend: SpendTotals[]; adjustedOrders: AdjustedOrder[]; affinities: Affinity[] }>();
    for (const [profileId, row] of touched) {
      if (!row.created) continue;
      const span = spans.get(profileId)!;
      created.set(profileId, { traits: [], consents: [], spend: [], adjustedOrders: [], affinities: [], span: { firstSeenAt: span.first, lastSeenAt: span.last } });
    }
    for (const t of traits) created.get(t.profileId)?.traits.push(t);
    for (const c of consents) created.get(c.profileId)?.consents.push(c);
    for (const r of spend) created.get(r.profileId)?.spend.push(r);
    for (const a of affinities) created.get(a.profileId)?.affinities.push(a);
    for (const o of adjustedOrders(newOrders.filter((o) => created.has(o.profileId)), adjustments)) created.get(o.profileId)!.adjustedOrders.push(o);
    const changed = await this.refresher.refresh(tx, causes, (...out) => batch.emit(...out), created);
    this.metrics.projected(events.length, verdicts.length, newOrders.length, changed);
    return batchResult(verdicts);
  }

  private traitRows(events: readonly EventFacts[], keys: ReadonlyMap<string, Buffer>): TraitRow[] {
    const byProfile = new Map<string, TraitFact[]>();
    for (const e of events) {
      if (e.traits.length === 0) continue;
      const list = byProfile.get(e.profileId) ?? [];
      list.push(...e.traits);
      byProfile.set(e.profileId, list);
    }
    const rows: TraitRow[] = [];
    for (const [profileId, facts] of byProfile) {
      for (const fact of foldTraits(facts).values()) {
        const secret = isPiiTrait(fact.name) && fact.value !== null;
        rows.push({
          ...fact,
          profileId,
          valueEnc: secret ? this.vault.seal(keys, profileId, { kind: 'trait', name: fact.name, mode: fact.mode }, JSON.stringify(fact.value)) : null,
        });
      }
    }
    return rows;
  }

  private identifierRows(events: readonly EventFacts[], keys: ReadonlyMap<string, Buffer>): IdentifierRow[] {
    const rows = new Map<string, { profileId: string; type: string; hash: string; value: string; firstSeen: number; lastSeen: number }>();
    for (const e of events) {
      for (const id of e.identifiers) {
        const hash = this.vault.hash(id.type, id.value);
        const key = `${e.profileId}\u0000${id.type}\u0000${hash}`;
        const row = rows.get(key);
        if (row) {
          row.firstSeen = Math.min(row.firstSeen, id.at);
          row.lastSeen = Math.max(row.lastSeen, id.at);
        } else rows.set(key, { profileId: e.profileId, type: id.type, hash, value: id.value, firstSeen: id.at, lastSeen: id.at });
      }
    }
    return [...rows.values()].map(({ value, ...row }) => ({ ...row, valueEnc: this.vault.seal(keys, row.profileId, { kind: 'identifier', type: row.type, hash: row.hash }, value) }));
  }

  private addressRows(events: readonly EventFacts[], keys: ReadonlyMap<string, Buffer>): AddressRow[] {
    const rows = new Map<string, { profileId: string; hash: string; value: string; firstSeen: number; lastSeen: number }>();
    for (const e of events) {
      for (const address of e.addresses) {
        const hash = this.vault.addressHash(address.value);
        const key = `${e.profileId}\u0000${hash}`;
        const row = rows.get(key);
        if (row) {
          row.firstSeen = Math.min(row.firstSeen, address.at);
          row.lastSeen = Math.max(row.lastSeen, address.at);
        } else rows.set(key, { profileId: e.profileId, hash, value: canonicalJson(address.value), firstSeen: address.at, lastSeen: address.at });
      }
    }
    return [...rows.values()].map(({ value, ...row }) => ({ ...row, valueEnc: this.vault.seal(keys, row.profileId, { kind: 'address', hash: row.hash }, value) }));
  }

  private interactionRows(events: readonly EventFacts[], keys: ReadonlyMap<string, Buffer>): InteractionRow[] {
    return events.flatMap((e) => {
      const i = e.interaction;
      if (!i) return [];
      const summaryEnc = i.summary ? this.vault.seal(keys, e.profileId, { kind: 'interaction', id: i.id }, i.summary) : null;
      return [{ profileId: e.profileId, id: i.id, at: i.at, channel: i.channel, type: i.type, summaryEnc, agent: i.agent, satisfaction: i.satisfaction, sourceId: i.sourceId }];
    });
  }
}

function consentRows(events: readonly EventFacts[]): Array<ConsentFact & { profileId: string }> {
  const byProfile = new Map<string, ConsentFact[]>();
  for (const e of events) if (e.consents.length > 0) byProfile.set(e.profileId, [...(byProfile.get(e.profileId) ?? []), ...e.consents]);
  return [...byProfile].flatMap(([profileId, facts]) => [...foldConsents(facts).values()].map((f) => ({ ...f, profileId })));
}

/** One row per order key and profile (the first event wins within the batch, the stored row across batches). */
function orderRows(events: readonly EventFacts[]): OrderRow[] {
  const rows = new Map<string, OrderRow>();
  for (const e of events) {
    const o = e.order;
    if (!o) continue;
    const key = `${e.profileId}/${o.orderKey}`;
    if (!rows.has(key)) rows.set(key, { ...o, profileId: e.profileId });
  }
  return [...rows.values()];
}

/** The orders the adjustments name (same profile, same order key), with their refunds and cancellations added up as groupFacts does. */
function adjustedOrders(orders: readonly OrderRow[], adjustments: ReadonlyArray<OrderAdjustmentFact & { profileId: string }>): Array<AdjustedOrder & { profileId: string }> {
  const byOrder = new Map<string, Array<OrderAdjustmentFact>>();
  for (const a of adjustments) {
    const key = `${a.profileId}/${a.orderKey}`;
    byOrder.set(key, [...(byOrder.get(key) ?? []), a]);
  }
  return orders.flatMap((o) => {
    const list = byOrder.get(`${o.profileId}/${o.orderKey}`);
    if (!list) return [];
    const refunds = list.filter((a) => a.kind === 'refunded');
    const refunded = refunds.length === 0 ? null : refunds.some((a) => a.amount === null) ? o.revenue : refunds.reduce((sum, a) => sum + a.amount!, 0);
    return [{ profileId: o.profileId, currency: o.currency, revenue: o.revenue, refunded, cancelled: list.some((a) => a.kind === 'cancelled') }];
  });
}

function spendRows(orders: readonly OrderRow[]): Array<SpendTotals & { profileId: string }> {
  const rows = new Map<string, { profileId: string; currency: string; orders: number; revenue: number; lastOrderAt: number | null }>();
  for (const o of orders) {
    const key = `${o.profileId}\u0000${o.currency}`;
    const row = rows.get(key) ?? { profileId: o.profileId, currency: o.currency, orders: 0, revenue: 0, lastOrderAt: null };
    row.orders += 1;
    row.revenue += o.revenue;
    row.lastOrderAt = Math.max(row.lastOrderAt ?? o.at, o.at);
    rows.set(key, row);
  }
  return [...rows.values()];
}

function affinityRows(events: readonly EventFacts[], orders: readonly OrderRow[]): Array<Affinity & { profileId: string }> {
  const rows = new Map<string, { profileId: string; kind: Affinity['kind']; value: string; events: number; orders: number; quantity: number; lastAt: number }>();
  const add = (profileId: string, kind: Affinity['kind'], value: string | null, at: number, delta: { events?: number; orders?: number; quantity?: number }) => {
    if (!value) return;
    const key = `${profileId}\u0000${kind}\u0000${value}`;
    const row = rows.get(key) ?? { profileId, kind, value, events: 0, orders: 0, quantity: 0, lastAt: at };
    row.events += delta.events ?? 0;
    row.orders += delta.orders ?? 0;
    row.quantity += delta.quantity ?? 0;
    row.lastAt = Math.max(row.lastAt, at);
    rows.set(key, row);
  };
  for (const e of events) {
    add(e.profileId, 'channel', e.channel, e.at, { events: 1 });
    add(e.profileId, 'store', e.storeId, e.at, { events: 1 });
  }
  for (const o of orders) {
    add(o.profileId, 'channel', o.channel, o.at, { orders: 1 });
    add(o.profileId, 'store', o.storeId, o.at, { orders: 1 });
    const categories = new Map<string, number>();
    const brands = new Map<string, number>();
    for (const item of o.items) {
      if (item.category) categories.set(item.category, (categories.get(item.category) ?? 0) + item.quantity);
      if (item.brand) brands.set(item.brand, (brands.get(item.brand) ?? 0) + item.quantity);
    }
    for (const [value, quantity] of categories) add(o.profileId, 'category', value, o.at, { orders: 1, quantity });
    for (const [value, quantity] of brands) add(o.profileId, 'brand', value, o.at, { orders: 1, quantity });
  }
  return [...rows.values()];
}
