import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { ServiceConfig } from '@cdp/config';
import { quoteIdent, type SqlExecutor } from '@cdp/kafka';

export interface ProfileRow {
  id: string;
  status: 'live' | 'merged' | 'erased';
  merged_into: string | null;
  first_seen: Date;
  last_seen: Date;
  merge_count: number;
  identifier_count: number;
}

export interface IdentifierRow {
  id: string;
  type: string;
  hash: string;
  value_enc: Buffer;
  key_subject: string;
  profile_id: string;
  first_seen: Date;
  last_seen: Date;
  source_id: string;
}

export interface LogRow {
  seq: string;
  kind: string;
  profile_id: string;
  related_profile_ids: string[];
  identifier_type: string | null;
  identifier_hash: string | null;
  event_id: string | null;
  rule: string | null;
  details: Record<string, unknown>;
  occurred_at: Date | null;
  created_at: Date;
}

export interface MergeRow {
  id: string;
  seq: string;
  survivor_id: string;
  merged_ids: string[];
  rule: string;
  event_id: string;
  occurred_at: Date;
  created_at: Date;
  undone_by: string | null;
}

/** Read side of the identity graph for the API. */
@Injectable()
export class IdentityQueries {
  private readonly s: string;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.s = quoteIdent(config.database.schema);
  }

  /** The profile and the live profile it now is (following merges), or undefined when unknown. */
  async profile(tx: SqlExecutor, id: string): Promise<{ requested: ProfileRow; live: ProfileRow } | undefined> {
    const rows = await tx.query<ProfileRow & { depth: number }>(
      `WITH RECURSIVE chain AS (
         SELECT p.*, 0 AS depth FROM ${this.s}.profiles p WHERE p.id = $1
         UNION ALL
         SELECT p.*, c.depth + 1 FROM ${this.s}.profiles p JOIN chain c ON p.id = c.merged_into WHERE c.depth < 1000
       )
       SELECT c.id, c.status, c.merged_into, c.first_seen, c.last_seen, c.merge_count, c.depth,
              (SELECT count(*)::int FROM ${this.s}.identifiers i WHERE i.profile_id = c.id) AS identifier_count
       FROM chain c ORDER BY depth`,
      [id],
    );
    if (rows.length === 0) return undefined;
    return { requested: rows[0], live: rows[rows.length - 1] };
  }

  async identifier(tx: SqlExecutor, type: string, hash: string): Promise<IdentifierRow | undefined> {
    const [row] = await tx.query<IdentifierRow>(
      `SELECT id::text, type, encode(value_hash, 'hex') AS hash, value_enc, key_subject, profile_id, first_seen, last_seen, source_id
       FROM ${this.s}.identifiers WHERE type = $1 AND value_hash = decode($2, 'hex')`,
      [type, hash],
    );
    return row;
  }

  /** `type:hash` -> live profile, for those of the keys some profile holds. */
  async owners(tx: SqlExecutor, keys: ReadonlyArray<{ type: string; hash: string }>): Promise<Map<string, string>> {
    const rows = await tx.query<{ ref: string; profile_id: string }>(
      `SELECT k.type || ':' || k.hash AS ref, i.profile_id
       FROM unnest($1::text[], $2::text[]) AS k(type, hash)
       JOIN ${this.s}.identifiers i ON i.type = k.type AND i.value_hash = decode(k.hash, 'hex')`,
      [keys.map((k) => k.type), keys.map((k) => k.hash)],
    );
    return new Map(rows.map((r) => [r.ref, r.profile_id]));
  }

  async identifiersOf(tx: SqlExecutor, profileId: string): Promise<IdentifierRow[]> {
    return tx.query<IdentifierRow>(
      `SELECT id::text, type, encode(value_hash, 'hex') AS hash, value_enc, key_subject, profile_id, first_seen, last_seen, source_id
       FROM ${this.s}.identifiers WHERE profile_id = $1 ORDER BY type, first_seen, id`,
      [profileId],
    );
  }

  /**
   * The graph log of a profile's lineage (itself and every profile merged into it, transitively),
   * newest first, from before `beforeSeq`.
   */
  async history(tx: SqlExecutor, profileId: string, limit: number, beforeSeq?: string): Promise<LogRow[]> {
    return tx.query<LogRow>(
      `WITH RECURSIVE lineage(id, depth) AS (
         SELECT $1::uuid, 0
         UNION ALL
         SELECT p.id, l.depth + 1 FROM ${this.s}.profiles p JOIN lineage l ON p.merged_into = l.id WHERE l.depth < 1000
       ), ids AS (SELECT array_agg(id) AS a FROM lineage)
       SELECT g.seq::text, g.kind, g.profile_id, g.related_profile_ids, g.identifier_type, encode(g.identifier_hash, 'hex') AS identifier_hash,
              g.event_id, g.rule, g.details, g.occurred_at, g.created_at
       FROM ${this.s}.graph_log g, ids
       WHERE (g.profile_id = ANY(ids.a) OR g.related_profile_ids && ids.a) AND ($3::bigint IS NULL OR g.seq < $3::bigint)
       ORDER BY g.seq DESC LIMIT $2`,
      [profileId, limit, beforeSeq ?? null],
    );
  }

  async merge(tx: SqlExecutor, id: string, lock = false): Promise<MergeRow | undefined> {
    const [row] = await tx.query<MergeRow>(
      `SELECT id, seq::text, survivor_id, merged_ids, rule, event_id, occurred_at, created_at, undone_by
       FROM ${this.s}.merges WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return row;
  }
}
