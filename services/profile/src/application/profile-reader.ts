import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { Principal, RequestAudit } from '@cdp/security';
import { asNumber, asString, daysSince, effectiveTraits, IDENTIFIER_TYPE, isPiiTrait, type JsonObject, type JsonValue, normaliseIdentifier } from '../domain';
import { type OrderView, type PreparedExecutor, type ProfileBundle, ProfileReadRepository, type TimelinePosition, type TraitFactRow, type ViewRow } from '../persistence/profile-read.repository';
import { PiiVault } from './pii-vault';
import { ProfileError } from './profile.error';
import { type Clock, PROFILE_CLOCK } from './profile.tokens';

export interface ContactPoint {
  value: JsonValue;
  profileId: string;
  firstSeenAt: string;
  lastSeenAt: string;
}

export interface ProfileDocument {
  id: string;
  /** The id asked for, when it names a profile merged into this one. */
  requestedId?: string;
  mergedProfileIds: string[];
  version: number;
  updatedAt: string;
  basic: Record<string, JsonValue>;
  contactPoints: { emails: ContactPoint[]; phones: ContactPoint[]; addresses: ContactPoint[] } | null;
  consents: Array<{ purpose: string; channel: string; status: string; at: string; source: string }>;
  traits: JsonObject;
  computed: JsonObject;
  pii: { included: boolean; withheld: string[] };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const PII_BASIC = ['name', 'firstName', 'lastName', 'birthday'];

/**
 * The API's reads. A profile is always answered as its live profile (merged ids are followed), over
 * the facts of its whole merge group. Personal data is decrypted only for callers holding `pii:read`,
 * and every such read is written to the audit log (with the fields returned) before the answer.
 */
@Injectable()
export class ProfileReader {
  /** The DataSource's own pg pool, for the prepared read statement (TypeORM's query() cannot name one). */
  private readonly prepared: PreparedExecutor;

  constructor(
    private readonly db: DataSource,
    private readonly reads: ProfileReadRepository,
    private readonly vault: PiiVault,
    @Inject(PROFILE_CLOCK) private readonly clock: Clock,
  ) {
    this.prepared = {
      prepared: async <R>(name: string, text: string, values: unknown[]) => {
        const pool = (db.driver as PostgresDriver).master as Pool;
        return (await pool.query({ name, text, values })).rows as R[];
      },
    };
  }

  /** The live profile and its group, or PROFILE_NOT_FOUND / PROFILE_ERASED. */
  async group(id: string): Promise<{ liveId: string; view: ViewRow; members: string[] }> {
    return groupOf(id, await this.reads.bundle(this.prepared, { id }, false));
  }

  async profile(id: string, principal: Principal, audit: RequestAudit, action = 'profiles.read_pii', extraFields: readonly string[] = []): Promise<ProfileDocument> {
    const pii = canReadPii(principal);
    return this.answer(id, await this.reads.bundle(this.prepared, { id }, pii), pii, audit, action, extraFields);
  }

  /**
   * Finds the live profile holding an identifier (through its blind index) and answers it like GET
   * /v1/profiles/{id}: one read for the match, the view and the personal data, then the audit entry.
   */
  async lookup(type: string, raw: string, principal: Principal, audit: RequestAudit): Promise<ProfileDocument & { matchedProfileIds: string[] }> {
    if (!IDENTIFIER_TYPE.test(type)) throw ProfileError.invalid('type', 'expected an identifier type such as email, phone, user_id, member_card');
    const value = normaliseIdentifier(type, raw);
    if (value === null) throw new ProfileError('INVALID_IDENTIFIER', `${type}: not a valid ${type}`, 422, { field: type });
    const pii = canReadPii(principal);
    const bundle = await this.reads.bundle(this.prepared, { type, hash: this.vault.hash(type, value) }, pii);
    if (bundle.matches.length === 0) {
      await audit.record({ action: 'profiles.lookup', resourceType: 'profile', resourceId: null, fields: [`lookup.${type}`], outcome: 'failure', status: 404, errorCode: 'PROFILE_NOT_FOUND' });
      throw new ProfileError('PROFILE_NOT_FOUND', `no profile holds that ${type}`, 404);
    }
    // One audit entry per lookup: what was looked up by, and the personal fields answered.
    const document = await this.answer(bundle.liveId!, bundle, pii, audit, 'profiles.lookup', [`lookup.${type}`]);
    return { ...document, matchedProfileIds: bundle.matches };
  }

  private async answer(id: string, bundle: ProfileBundle, pii: boolean, audit: RequestAudit, action: string, extraFields: readonly string[]): Promise<ProfileDocument> {
    const { liveId, view, members } = groupOf(id, bundle);
    const traits: JsonObject = { ...view.traits };
    const basic = basicInformation(traits, view.computed);
    const withheld: string[] = [];
    let contactPoints: ProfileDocument['contactPoints'] = null;
    if (pii) {
      const keys = await this.vault.keysFor(this.db, members, false);
      const secrets = this.piiTraits(bundle.piiTraits, view, keys);
      Object.assign(traits, secrets);
      Object.assign(basic, basicInformation(traits, view.computed));
      const open = (rows: ProfileBundle['identifiers']) =>
        rows.flatMap((r) => {
          const value = this.vault.open(keys, r.profileId, { kind: 'identifier', type: r.type, hash: r.hash }, r.valueEnc);
          return value === null ? [] : [{ value, profileId: r.profileId, firstSeenAt: r.firstSeenAt, lastSeenAt: r.lastSeenAt }];
        });
      contactPoints = {
        emails: open(bundle.identifiers.filter((r) => r.type === 'email')),
        phones: open(bundle.identifiers.filter((r) => r.type === 'phone')),
        addresses: bundle.addresses.flatMap((r) => {
          const value = this.vault.open(keys, r.profileId, { kind: 'address', hash: r.hash }, r.valueEnc);
          return value === null ? [] : [{ value: JSON.parse(value) as JsonValue, profileId: r.profileId, firstSeenAt: r.firstSeenAt, lastSeenAt: r.lastSeenAt }];
        }),
      };
      const fields = [...Object.keys(secrets).map((n) => `traits.${n}`), ...(contactPoints.emails.length ? ['contactPoints.emails'] : []), ...(contactPoints.phones.length ? ['contactPoints.phones'] : []), ...(contactPoints.addresses.length ? ['contactPoints.addresses'] : [])];
      await audit.record({ action, resourceType: 'profile', resourceId: liveId, fields: [...extraFields, ...fields], details: id === liveId ? undefined : { requestedId: id } });
    } else {
      for (const name of PII_BASIC) basic[name] = null;
      withheld.push(...PII_BASIC.map((n) => `basic.${n}`), 'contactPoints', ...Object.keys(view.pii).map((n) => `traits.${n}`));
    }
    return {
      id: liveId,
      ...(id === liveId ? {} : { requestedId: id }),
      mergedProfileIds: view.mergedProfileIds,
      version: view.version,
      updatedAt: view.updatedAt,
      basic,
      contactPoints,
      consents: consentList(view.consents),
      traits,
      computed: { ...view.computed, daysSinceLastOrder: daysSince(view.computed.lastOrderAt, this.clock()) },
      pii: { included: pii, withheld },
    };
  }

  /** Every effective trait with the event time and origin of the fact behind it. */
  async traits(id: string, principal: Principal, audit: RequestAudit): Promise<{ profileId: string; traits: Record<string, JsonObject> }> {
    const { liveId, members } = await this.group(id);
    const facts = await this.reads.traits(this.db, members);
    const winners = effectiveTraits(facts);
    const pii = canReadPii(principal);
    const keys = pii ? await this.vault.keysFor(this.db, members, false) : new Map<string, Buffer>();
    const out: Record<string, JsonObject> = {};
    const read: string[] = [];
    for (const name of [...winners.keys()].sort()) {
      const fact = winners.get(name) as TraitFactRow;
      const meta = { updatedAt: new Date(fact.at).toISOString(), eventId: fact.eventId, profileId: fact.profileId, setOnce: fact.mode === 'once' };
      if (!fact.valueEnc) out[name] = { value: fact.value, ...meta };
      else if (!pii) out[name] = { value: null, withheld: true, ...meta };
      else {
        const plain = this.vault.open(keys, fact.profileId, { kind: 'trait', name: fact.name, mode: fact.mode }, fact.valueEnc);
        if (plain === null) continue;
        out[name] = { value: JSON.parse(plain) as JsonValue, ...meta };
        read.push(`traits.${name}`);
      }
    }
    if (read.length > 0) await audit.record({ action: 'profiles.read_pii', resourceType: 'profile', resourceId: liveId, fields: read });
    return { profileId: liveId, traits: out };
  }

  /** The identifiers recorded for the group (as identity matched them); values need pii:read. */
  async identifiers(id: string, principal: Principal, audit: RequestAudit): Promise<{ profileId: string; items: Array<Record<string, JsonValue>> }> {
    const { liveId, members } = await this.group(id);
    const rows = await this.reads.identifiers(this.db, members);
    const pii = canReadPii(principal);
    const keys = pii ? await this.vault.keysFor(this.db, members, false) : new Map<string, Buffer>();
    const items = rows.map((r) => ({
      type: r.type,
      value: pii ? this.vault.open(keys, r.profileId, { kind: 'identifier', type: r.type, hash: r.hash }, r.valueEnc) : null,
      ...(pii ? {} : { withheld: true }),
      profileId: r.profileId,
      firstSeenAt: r.firstSeenAt,
      lastSeenAt: r.lastSeenAt,
    }));
    if (pii && items.length > 0) await audit.record({ action: 'profiles.read_pii', resourceType: 'profile', resourceId: liveId, fields: [...new Set(rows.map((r) => `identifiers.${r.type}`))] });
    return { profileId: liveId, items };
  }

  async orders(id: string, limit: number, cursor: string | undefined): Promise<Page<OrderView> & { profileId: string }> {
    const { liveId, members } = await this.group(id);
    const rows = await this.reads.orders(this.db, members, limit + 1, cursor === undefined ? null : decodeCursor(cursor));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { profileId: liveId, items: page, nextCursor: rows.length > limit && last ? encodeCursor({ at: last.occurredAt, profileId: last.profileId, key: last.orderKey }) : null };
  }

  async interactions(id: string, limit: number, cursor: string | undefined, principal: Principal, audit: RequestAudit): Promise<Page<Record<string, unknown>> & { profileId: string }> {
    const { liveId, members } = await this.group(id);
    const rows = await this.reads.interactions(this.db, members, limit + 1, cursor === undefined ? null : decodeCursor(cursor));
    const page = rows.slice(0, limit);
    const pii = canReadPii(principal);
    const keys = pii ? await this.vault.keysFor(this.db, members, false) : new Map<string, Buffer>();
    const items = page.map(({ summaryEnc, ...r }) => ({
      ...r,
      summary: pii && summaryEnc ? this.vault.open(keys, r.profileId, { kind: 'interaction', id: r.id }, summaryEnc) : null,
      ...(!pii && summaryEnc ? { summaryWithheld: true } : {}),
    }));
    if (pii && page.some((r) => r.summaryEnc)) await audit.record({ action: 'profiles.read_pii', resourceType: 'profile', resourceId: liveId, fields: ['interactions.summary'] });
    const last = page[page.length - 1];
    return { profileId: liveId, items, nextCursor: rows.length > limit && last ? encodeCursor({ at: last.occurredAt, profileId: last.profileId, key: last.id }) : null };
  }

  /**
   * Everything held about the person, decrypted: the unified profile, every trait fact of every
   * profile of the group, identifiers, consents, all orders and interactions. One audit entry.
   */
  async exportAll(id: string, principal: Principal, audit: RequestAudit): Promise<Record<string, unknown>> {
    const fields = new Set<string>();
    const collect: RequestAudit = {
      principal: audit.principal,
      client: audit.client,
      record: async (entry) => {
        for (const f of entry.fields ?? []) fields.add(f);
      },
    };
    const reader = { ...principal, scopes: [...principal.scopes, 'pii:read' as const] };
    const profile = await this.profile(id, reader, collect);
    const { members } = await this.group(id);
    const keys = await this.vault.keysFor(this.db, members, false);
    const facts = (await this.reads.traits(this.db, members)).map((f) => ({
      profileId: f.profileId,
      name: f.name,
      setOnce: f.mode === 'once',
      value: f.valueEnc ? parseOrNull(this.vault.open(keys, f.profileId, { kind: 'trait', name: f.name, mode: f.mode }, f.valueEnc)) : f.value,
      at: new Date(f.at).toISOString(),
      eventId: f.eventId,
    }));
    const identifiers = await this.identifiers(id, reader, collect);
    const consents = (await this.reads.consents(this.db, members)).map((c) => ({ ...c, at: new Date(c.at).toISOString(), status: c.granted ? 'granted' : 'revoked' }));
    const orders = await this.reads.orders(this.db, members, 1_000_000, null);
    const interactions = await this.interactions(id, 1_000_000, undefined, reader, collect);
    await audit.record({ action: 'profiles.export', resourceType: 'profile', resourceId: profile.id, fields: [...fields, 'traitFacts', 'orders', 'interactions'] });
    return {
      exportedAt: new Date(this.clock()).toISOString(),
      profile,
      traitFacts: facts,
      identifiers: identifiers.items,
      consents,
      orders,
      interactions: interactions.items,
    };
  }

  /** The decrypted values of the group's winning personal traits (the facts the view fingerprints). */
  private piiTraits(rows: readonly TraitFactRow[], view: ViewRow, keys: ReadonlyMap<string, Buffer>): JsonObject {
    const out: JsonObject = {};
    for (const row of rows) {
      if (view.pii[row.name] !== `${row.at}:${row.eventId}` || !row.valueEnc || !isPiiTrait(row.name)) continue;
      const plain = this.vault.open(keys, row.profileId, { kind: 'trait', name: row.name, mode: row.mode }, row.valueEnc);
      if (plain !== null) out[row.name] = JSON.parse(plain) as JsonValue;
    }
    return out;
  }
}

/** The live profile and its group from a bundle, or PROFILE_NOT_FOUND / PROFILE_ERASED for the id asked for. */
function groupOf(id: string, bundle: ProfileBundle): { liveId: string; view: ViewRow; members: string[] } {
  if (!bundle.liveId) {
    if (bundle.erased) throw new ProfileError('PROFILE_ERASED', `profile ${id} was erased`, 410);
    throw ProfileError.notFound(id);
  }
  if (!bundle.view) throw ProfileError.notFound(id);
  return { liveId: bundle.liveId, view: bundle.view, members: [bundle.liveId, ...bundle.view.mergedProfileIds] };
}

function parseOrNull(plain: string | null): JsonValue {
  return plain === null ? null : (JSON.parse(plain) as JsonValue);
}

export function canReadPii(principal: Principal): boolean {
  return principal.scopes.includes('pii:read');
}

/** Name, demographics and location from the traits (Segment's reserved names first, common alternatives after). */
export function basicInformation(traits: JsonObject, computed: JsonObject): Record<string, JsonValue> {
  const text = (...names: string[]) => {
    for (const name of names) {
      const value = asString(traits[name]);
      if (value !== undefined) return value;
    }
    return null;
  };
  const firstName = text('firstName', 'first_name');
  const lastName = text('lastName', 'last_name');
  const income = asNumber(traits.income);
  return {
    name: text('name') ?? ([firstName, lastName].filter(Boolean).join(' ') || null),
    firstName,
    lastName,
    gender: text('gender'),
    birthday: text('birthday', 'birthdate', 'birth_date', 'dateOfBirth'),
    ageBand: (computed.ageBand as JsonValue) ?? null,
    occupation: text('occupation', 'title', 'jobTitle'),
    incomeBand: text('incomeBand', 'income_band') ?? (income === undefined ? null : incomeBand(income)),
    city: text('city'),
    region: text('region', 'state', 'province'),
    country: text('country'),
    preferredLanguage: text('preferredLanguage', 'preferred_language', 'language'),
  };
}

function incomeBand(income: number): string {
  if (income < 25_000) return 'under-25k';
  if (income < 50_000) return '25k-50k';
  if (income < 100_000) return '50k-100k';
  if (income < 200_000) return '100k-200k';
  return '200k+';
}

function consentList(consents: JsonObject): ProfileDocument['consents'] {
  const out: ProfileDocument['consents'] = [];
  for (const [purpose, channels] of Object.entries(consents)) {
    for (const [channel, state] of Object.entries(channels as JsonObject)) {
      const s = state as { status: string; at: string; source: string };
      out.push({ purpose, channel, status: s.status, at: s.at, source: s.source });
    }
  }
  return out;
}

export function encodeCursor(position: TimelinePosition): string {
  return Buffer.from(JSON.stringify(['t1', position.at, position.profileId, position.key]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): TimelinePosition {
  try {
    const [tag, at, profileId, key] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (tag === 't1' && typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof profileId === 'string' && typeof key === 'string') return { at, profileId, key };
  } catch {
    // fall through: any undecodable cursor is the same client error
  }
  throw new ProfileError('INVALID_CURSOR', 'cursor: expected the nextCursor of a previous page', 400, { field: 'cursor' });
}
