import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SqlExecutor } from '@cdp/kafka';
import { IDENTIFIER_TYPE_PATTERN, normaliseValue } from '../domain';
import { IdentityQueries, type LogRow, type ProfileRow } from '../persistence/identity-queries';
import { IdentifierVault } from './identifier-vault';
import { IdentityError } from './identity.error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ProfileView {
  id: string;
  /** The id asked for, when it was merged into `id`. */
  requestedId: string;
  status: 'live' | 'merged' | 'erased';
  mergedInto: string | null;
  firstSeen: string;
  lastSeen: string;
  mergeCount: number;
  identifierCount: number;
}

export interface IdentifierView {
  type: string;
  /** Present only for callers allowed to read PII. */
  value?: string;
  firstSeen: string;
  lastSeen: string;
  sourceId: string;
}

export interface HistoryEntry {
  seq: string;
  kind: string;
  profileId: string;
  relatedProfileIds: string[];
  identifierType: string | null;
  eventId: string | null;
  rule: string | null;
  details: Record<string, unknown>;
  occurredAt: string | null;
  recordedAt: string;
}

/** Lookups over the identity graph: by identifier, profile, its identifiers and its history. */
@Injectable()
export class IdentityDirectory {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: IdentityQueries,
    private readonly vault: IdentifierVault,
  ) {}

  /** The live profile an identifier belongs to. The value is normalised as resolution normalises it. */
  async lookup(type: string, rawValue: string): Promise<{ profileId: string; type: string; firstSeen: string; lastSeen: string }> {
    if (!IDENTIFIER_TYPE_PATTERN.test(type)) throw new IdentityError('INVALID_IDENTIFIER', `"${type.slice(0, 64)}" is not an identifier type`, 400, { field: 'type' });
    const value = normaliseValue(type, rawValue);
    if (value === null) {
      throw new IdentityError('INVALID_IDENTIFIER', type === 'phone' ? 'a phone is looked up in E.164 form, e.g. +8613800138000' : `not a usable ${type} value`, 400, { field: 'value' });
    }
    const row = await this.queries.identifier(this.db(), type, this.vault.hash(type, value));
    if (!row) throw new IdentityError('IDENTIFIER_NOT_FOUND', `no profile has this ${type}`, 404);
    return { profileId: row.profile_id, type, firstSeen: row.first_seen.toISOString(), lastSeen: row.last_seen.toISOString() };
  }

  /**
   * Many lookups at once (static segments from a list of customers, imports): each item's live profile,
   * or null when no profile has it, or the reason it is not a usable identifier. One query for all.
   */
  async resolveMany(items: ReadonlyArray<{ type: unknown; value: unknown }>): Promise<Array<{ type: string; profileId: string | null; error?: string }>> {
    const keys: Array<{ index: number; type: string; hash: string }> = [];
    const out: Array<{ type: string; profileId: string | null; error?: string }> = items.map((item, index) => {
      const type = typeof item.type === 'string' ? item.type : '';
      if (!IDENTIFIER_TYPE_PATTERN.test(type)) return { type, profileId: null, error: 'not an identifier type' };
      const value = typeof item.value === 'string' || typeof item.value === 'number' ? normaliseValue(type, String(item.value)) : null;
      if (value === null) return { type, profileId: null, error: type === 'phone' ? 'a phone is looked up in E.164 form' : `not a usable ${type} value` };
      keys.push({ index, type, hash: this.vault.hash(type, value) });
      return { type, profileId: null };
    });
    if (keys.length > 0) {
      const owners = await this.queries.owners(this.db(), keys);
      for (const key of keys) out[key.index].profileId = owners.get(`${key.type}:${key.hash}`) ?? null;
    }
    return out;
  }

  async profile(id: string): Promise<ProfileView> {
    const found = await this.queries.profile(this.db(), profileId(id));
    if (!found) throw new IdentityError('PROFILE_NOT_FOUND', `no profile ${id}`, 404);
    return view(found.live, id);
  }

  /** The live profile's identifiers; values decrypted only when `withValues` (the caller may read PII). */
  async identifiers(id: string, withValues: boolean): Promise<{ profile: ProfileView; identifiers: IdentifierView[] }> {
    const tx = this.db();
    const found = await this.queries.profile(tx, profileId(id));
    if (!found) throw new IdentityError('PROFILE_NOT_FOUND', `no profile ${id}`, 404);
    const rows = await this.queries.identifiersOf(tx, found.live.id);
    const values = withValues ? await this.vault.open(tx, rows.map((r) => ({ keySubject: r.key_subject, type: r.type, hash: r.hash, valueEnc: r.value_enc }))) : [];
    return {
      profile: view(found.live, id),
      identifiers: rows.map((r, i) => ({
        type: r.type,
        ...(withValues && values[i] !== null ? { value: values[i]! } : {}),
        firstSeen: r.first_seen.toISOString(),
        lastSeen: r.last_seen.toISOString(),
        sourceId: r.source_id,
      })),
    };
  }

  /** Links, merges, splits, drops and caps of the profile and everything merged into it, newest first. */
  async history(id: string, limit: number, cursor?: string): Promise<{ profileId: string; items: HistoryEntry[]; nextCursor: string | null }> {
    const tx = this.db();
    const found = await this.queries.profile(tx, profileId(id));
    if (!found) throw new IdentityError('PROFILE_NOT_FOUND', `no profile ${id}`, 404);
    const rows = await this.queries.history(tx, found.live.id, limit + 1, cursor === undefined ? undefined : decodeCursor(cursor));
    const page = rows.slice(0, limit);
    return {
      profileId: found.live.id,
      items: page.map(entry),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].seq) : null,
    };
  }

  private db(): SqlExecutor {
    return { query: async <R>(sql: string, params?: unknown[]) => (await this.dataSource.query(sql, params)) as R[] };
  }
}

export function profileId(id: string): string {
  if (!UUID.test(id)) throw new IdentityError('PROFILE_NOT_FOUND', `"${id.slice(0, 64)}" is not a profile id`, 404);
  return id.toLowerCase();
}

function view(row: ProfileRow, requestedId: string): ProfileView {
  return {
    id: row.id,
    requestedId,
    status: row.status,
    mergedInto: row.merged_into,
    firstSeen: row.first_seen.toISOString(),
    lastSeen: row.last_seen.toISOString(),
    mergeCount: row.merge_count,
    identifierCount: row.identifier_count,
  };
}

function entry(row: LogRow): HistoryEntry {
  return {
    seq: row.seq,
    kind: row.kind,
    profileId: row.profile_id,
    relatedProfileIds: row.related_profile_ids,
    identifierType: row.identifier_type,
    eventId: row.event_id,
    rule: row.rule,
    details: row.details,
    occurredAt: row.occurred_at?.toISOString() ?? null,
    recordedAt: row.created_at.toISOString(),
  };
}

function encodeCursor(seq: string): string {
  return Buffer.from(JSON.stringify({ seq }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const { seq } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { seq?: unknown };
    if (typeof seq === 'string' && /^\d{1,19}$/.test(seq)) return seq;
  } catch {
    // Falls through to the error below: a cursor is only ever one this API handed out.
  }
  throw new IdentityError('INVALID_CURSOR', 'the cursor is not one this API handed out', 400, { field: 'cursor' });
}
