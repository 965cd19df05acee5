import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { quoteIdent } from '@cdp/kafka';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { ProfileConfig } from '../config';
import { daysSince, isPiiTrait, type JsonObject, type JsonValue, MAX_TRAIT_NAME_LENGTH } from '../domain';
import { ProfileError } from './profile.error';
import { type Clock, PROFILE_CLOCK } from './profile.tokens';

export const FILTER_OPS = ['eq', 'neq', 'in', 'gt', 'gte', 'lt', 'lte', 'exists', 'contains'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface SearchFilter {
  field: string;
  op: FilterOp;
  value?: JsonValue;
}

export interface SearchRequest {
  filters: SearchFilter[];
  limit: number;
  cursor: string | null;
}

/** Computed traits that can be filtered on (dotted paths into the computed object). */
const COMPUTED_FIELDS = new Set([
  'firstSeenAt',
  'lastSeenAt',
  'ordersCount',
  'lastOrderAt',
  'daysSinceLastOrder',
  'favouriteCategories',
  'favouriteBrands',
  'channels',
  'stores',
  'ageBand',
  'onlineOfflineMix.onlineOrders',
  'onlineOfflineMix.offlineOrders',
  'onlineOfflineMix.onlineShare',
]);
const PER_CURRENCY = /^(totalSpend|averageOrderValue)\.[A-Z]{3}$/;
const DAY_MS = 86_400_000;
const MAX_FILTERS = 20;

export interface SearchHit {
  id: string;
  version: number;
  mergedProfileIds: string[];
  traits: JsonObject;
  computed: JsonObject;
  consents: JsonObject;
  updatedAt: string;
}

/** Validates the body of `POST /v1/profiles/search`; every complaint names its field. */
export function parseSearchRequest(body: unknown): SearchRequest {
  if (body === undefined || body === null) return { filters: [], limit: 50, cursor: null };
  if (typeof body !== 'object' || Array.isArray(body)) throw ProfileError.invalid('body', 'expected a JSON object');
  const raw = body as Record<string, unknown>;
  for (const key of Object.keys(raw)) if (!['filters', 'limit', 'cursor'].includes(key)) throw ProfileError.invalid(key, 'unknown field; expected filters, limit, cursor');
  const filters = raw.filters ?? [];
  if (!Array.isArray(filters) || filters.length > MAX_FILTERS) throw ProfileError.invalid('filters', `expected an array of at most ${MAX_FILTERS} filters`);
  const limit = raw.limit ?? 50;
  if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > 200) throw ProfileError.invalid('limit', 'expected an integer from 1 to 200');
  const cursor = raw.cursor ?? null;
  if (cursor !== null && typeof cursor !== 'string') throw ProfileError.invalid('cursor', 'expected the nextCursor of a previous page');
  return { filters: filters.map((f, i) => parseFilter(f, `filters[${i}]`)), limit: limit as number, cursor };
}

function parseFilter(raw: unknown, at: string): SearchFilter {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw ProfileError.invalid(at, 'expected { field, op, value }');
  const { field, op, value } = raw as { field?: unknown; op?: unknown; value?: JsonValue };
  if (typeof field !== 'string' || field.length === 0) throw ProfileError.invalid(`${at}.field`, 'expected traits.<name>, computed.<name> or consents.<purpose>.<channel>');
  if (!FILTER_OPS.includes(op as FilterOp)) throw ProfileError.invalid(`${at}.op`, `expected one of ${FILTER_OPS.join(', ')}`);
  const filter: SearchFilter = { field, op: op as FilterOp, value };
  const [scope, ...rest] = field.split('.');
  if (scope === 'tags' || scope === 'segments') {
    throw new ProfileError('FILTER_NOT_SUPPORTED', `${at}.field: ${scope} are kept by the segmentation service; filter on them there`, 422, { field: `${at}.field` });
  }
  if (scope === 'traits') {
    const name = rest.join('.');
    if (!name || name.length > MAX_TRAIT_NAME_LENGTH) throw ProfileError.invalid(`${at}.field`, 'expected traits.<name>');
    if (isPiiTrait(name)) {
      throw new ProfileError('PII_NOT_SEARCHABLE', `${at}.field: ${name} is personal data, stored encrypted; find a person by email or phone with GET /v1/profiles/lookup`, 422, { field: `${at}.field` });
    }
  } else if (scope === 'computed') {
    const path = rest.join('.');
    if (!COMPUTED_FIELDS.has(path) && !PER_CURRENCY.test(path)) throw ProfileError.invalid(`${at}.field`, `unknown computed trait ${path}`);
  } else if (scope === 'consents') {
    if (rest.length !== 2) throw ProfileError.invalid(`${at}.field`, 'expected consents.<purpose>.<channel>');
    if (!['eq', 'neq', 'exists'].includes(filter.op)) throw ProfileError.invalid(`${at}.op`, 'consents take eq, neq (granted or revoked) or exists');
    if (filter.op !== 'exists' && value !== 'granted' && value !== 'revoked') throw ProfileError.invalid(`${at}.value`, 'expected granted or revoked');
  } else {
    throw ProfileError.invalid(`${at}.field`, 'expected traits.<name>, computed.<name> or consents.<purpose>.<channel>');
  }
  switch (filter.op) {
    case 'in':
      if (!Array.isArray(value) || value.length === 0 || value.length > 100) throw ProfileError.invalid(`${at}.value`, 'expected an array of 1 to 100 values');
      break;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof value !== 'number' && typeof value !== 'string') throw ProfileError.invalid(`${at}.value`, 'expected a number or a string (ISO instants compare as text)');
      break;
    case 'exists':
      if (value !== undefined && typeof value !== 'boolean') throw ProfileError.invalid(`${at}.value`, 'expected true or false');
      break;
    case 'eq':
    case 'neq':
    case 'contains':
      if (value === undefined) throw ProfileError.invalid(`${at}.value`, 'expected a value');
      break;
    default: {
      const unreachable: never = filter.op;
      throw new Error(`unknown op ${String(unreachable)}`);
    }
  }
  if (field === 'computed.daysSinceLastOrder' && !(typeof value === 'number' && ['eq', 'gt', 'gte', 'lt', 'lte'].includes(filter.op))) {
    throw ProfileError.invalid(`${at}`, 'daysSinceLastOrder takes eq, gt, gte, lt or lte with a number of days');
  }
  return filter;
}

/**
 * Search over the non-personal view of live profiles: filters on traits, computed traits and
 * consents, all combined with AND, keyset-paginated by profile id. `daysSinceLastOrder` is
 * translated into a range on `lastOrderAt` at the reader's clock.
 */
@Injectable()
export class ProfileSearch {
  /** The service's schema (DATABASE_SCHEMA), quoted. */
  private readonly s: string;

  constructor(
    private readonly db: DataSource,
    @Inject(PROFILE_CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) config: ProfileConfig,
  ) {
    this.s = quoteIdent(config.database.schema);
  }

  async search(request: SearchRequest): Promise<{ items: SearchHit[]; nextCursor: string | null }> {
    const params: unknown[] = [];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    const now = this.clock();
    for (const filter of request.filters) where.push(...this.condition(filter, p, now));
    if (request.cursor !== null) where.push(`v.profile_id COLLATE "C" > ${p(decodeSearchCursor(request.cursor))}`);
    const rows = await this.db.query<Array<{ profile_id: string; version: string; merged_profile_ids: string[]; traits: JsonObject; computed: JsonObject; consents: JsonObject; updated_at: Date }>>(
      `SELECT v.profile_id, v.version::text AS version, v.merged_profile_ids, v.traits, v.computed, v.consents, v.updated_at FROM ${this.s}.views v
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY v.profile_id COLLATE "C" LIMIT ${p(request.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, request.limit);
    return {
      items: page.map((r) => ({
        id: r.profile_id,
        version: Number(r.version),
        mergedProfileIds: r.merged_profile_ids,
        traits: r.traits,
        computed: { ...r.computed, daysSinceLastOrder: daysSince(r.computed.lastOrderAt, now) },
        consents: r.consents,
        updatedAt: new Date(r.updated_at).toISOString(),
      })),
      nextCursor: rows.length > request.limit ? encodeSearchCursor(page[page.length - 1]!.profile_id) : null,
    };
  }

  private condition(filter: SearchFilter, p: (value: unknown) => string, now: number): string[] {
    const [scope, ...rest] = filter.field.split('.');
    if (filter.field === 'computed.daysSinceLastOrder') {
      // floor((now - at) / day) compared with n, as a range on the ISO instant (which orders as text).
      const n = filter.value as number;
      const before = (days: number) => new Date(now - days * DAY_MS).toISOString();
      const at = `(v.computed ->> 'lastOrderAt')`;
      const atLeast = (days: number) => `${at} <= ${p(before(days))}`;
      const under = (days: number) => `${at} > ${p(before(days))}`;
      switch (filter.op) {
        case 'eq':
          return [atLeast(n), under(n + 1)];
        case 'gt':
          return [atLeast(n + 1)];
        case 'gte':
          return [atLeast(n)];
        case 'lt':
          return [under(n)];
        default:
          return [under(n + 1)];
      }
    }
    const column = scope === 'traits' ? 'v.traits' : scope === 'computed' ? 'v.computed' : 'v.consents';
    const path = scope === 'traits' ? [rest.join('.')] : scope === 'consents' ? [...rest, 'status'] : rest;
    // Built only where used: a parameter the statement never references has no type Postgres can infer.
    let pathParam: string | undefined;
    const at = () => `(${column} #> ${(pathParam ??= p(path))}::text[])`;
    const value = filter.value;
    switch (filter.op) {
      case 'eq':
        // Containment uses the GIN index; arrays and objects compare whole.
        if (scope !== 'consents' && (value === null || typeof value !== 'object')) return [`${column} @> ${p(JSON.stringify(nest(path, value as JsonValue)))}::jsonb`];
        return [`${at()} = ${p(JSON.stringify(value))}::jsonb`];
      case 'neq':
        return [`${at()} <> ${p(JSON.stringify(value))}::jsonb`];
      case 'in':
        return [`${at()} = ANY(${p((value as JsonValue[]).map((v) => JSON.stringify(v)))}::jsonb[])`];
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[filter.op];
        const v = p(JSON.stringify(value));
        return [`jsonb_typeof(${at()}) = jsonb_typeof(${v}::jsonb)`, `${at()} ${op} ${v}::jsonb`];
      }
      case 'exists':
        return [value === false ? `${at()} IS NULL` : `${at()} IS NOT NULL`];
      case 'contains':
        return [`jsonb_typeof(${at()}) = 'array'`, `${at()} @> jsonb_build_array(${p(JSON.stringify(value))}::jsonb)`];
      default: {
        const unreachable: never = filter.op;
        throw new Error(`unknown op ${String(unreachable)}`);
      }
    }
  }
}

function nest(path: readonly string[], value: JsonValue): JsonValue {
  return path.reduceRight<JsonValue>((inner, key) => ({ [key]: inner }), value);
}

function encodeSearchCursor(profileId: string): string {
  return Buffer.from(`s1:${profileId}`, 'utf8').toString('base64url');
}

function decodeSearchCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('s1:') || text.length < 4) throw new ProfileError('INVALID_CURSOR', 'cursor: expected the nextCursor of a previous page', 400, { field: 'cursor' });
  return text.slice(3);
}
