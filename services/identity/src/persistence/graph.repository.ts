import { quoteIdent, type SqlExecutor } from '@cdp/kafka';
import { addLoadedProfile, emptyGraph, type GraphChange, type IdentityGraph } from '../domain';
import { IdentityError } from '../application/identity.error';

/** An identifier's graph key: type plus blind index (hex). The domain's `ref` is `${type}:${hash}`. */
export interface IdentifierKey {
  readonly type: string;
  readonly hash: string;
}

export function refOf(key: IdentifierKey): string {
  return `${key.type}:${key.hash}`;
}

export function keyOf(ref: string): IdentifierKey {
  const at = ref.lastIndexOf(':');
  return { type: ref.slice(0, at), hash: ref.slice(at + 1) };
}

/** What a link needs beyond the domain's change: the sealed value and where it came from. */
export interface LinkDetails {
  readonly valueEnc: Buffer;
  readonly keySubject: string;
  readonly sourceId: string;
}

/** A batch's effect on the graph, ready to write. */
export interface GraphWrite {
  readonly changes: readonly GraphChange[];
  readonly links: ReadonlyMap<string, LinkDetails>;
  /** The working graph after the batch (final merge counts, live profiles). */
  readonly graph: IdentityGraph;
  /** ref -> latest event time the batch saw it at. */
  readonly identifiersSeen: ReadonlyMap<string, number>;
  /** Live profile -> latest event time of the batch's events resolved to it. */
  readonly profilesSeen: ReadonlyMap<string, number>;
}

/**
 * Last-seen times are kept to within this much: refreshing them on every event would rewrite every
 * identifier and profile of every batch, most of them for a few seconds' difference.
 */
export const LAST_SEEN_GRANULARITY_MS = 3_600_000;

/** Rounds of "lock the owners, re-read, lock the newcomers" before giving up and retrying the batch. */
const MAX_LOCK_ROUNDS = 5;

/**
 * The identity graph in Postgres, read and written set-based: a batch of events costs a fixed
 * number of statements whatever its size.
 *
 * Concurrency (several instances on different partitions): a batch first takes transaction-scoped
 * advisory locks on the blind indexes it carries, in ascending order, so two batches carrying the
 * same identifier run one after the other and no two can create it twice. It then locks the owning
 * profiles (FOR UPDATE, in id order) and reads the owners again: a merge committed in between
 * re-pointed them, and the newly named profiles are locked too. Merges and splits lock every
 * profile whose identifiers they move, so once a batch holds its profiles' locks its view cannot
 * change. A deadlock that the second round's order could still cause is detected by Postgres and
 * the runtime re-runs the batch.
 */
export class GraphRepository {
  private readonly s: string;

  /** `schema`: the service's own Postgres schema. */
  constructor(schema: string) {
    this.s = quoteIdent(schema);
  }

  /** Advisory locks on the identifiers, ascending (a fixed order: no deadlock among batches). */
  async lockIdentifiers(tx: SqlExecutor, keys: readonly IdentifierKey[]): Promise<void> {
    if (keys.length === 0) return;
    const locks = [...new Set(keys.map((k) => advisoryKey(k)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    await tx.query(`SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k`, [locks.map(String)]);
  }

  /** The working graph for the batch: the live owners of its identifiers, locked, with their counts. */
  async loadGraph(tx: SqlExecutor, keys: readonly IdentifierKey[]): Promise<IdentityGraph> {
    const locked = new Set<string>();
    let owners = await this.owners(tx, keys);
    for (let round = 0; ; round++) {
      const wanted = [...new Set(owners.values())].filter((id) => !locked.has(id)).sort();
      if (wanted.length === 0) break;
      if (round >= MAX_LOCK_ROUNDS) {
        throw new IdentityError('GRAPH_CONTENDED', `the owners of this batch's identifiers kept changing for ${MAX_LOCK_ROUNDS} rounds`, 503);
      }
      await tx.query(`SELECT id FROM ${this.s}.profiles WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [wanted]);
      for (const id of wanted) locked.add(id);
      owners = await this.owners(tx, keys);
    }

    const graph = emptyGraph();
    const profileIds = [...new Set(owners.values())];
    if (profileIds.length === 0) return graph;
    const profiles = await tx.query<{ id: string; first_seen: Date; merge_count: number; status: string; counts: Record<string, number> | null }>(
      `SELECT p.id, p.first_seen, p.merge_count, p.status,
              (SELECT jsonb_object_agg(c.type, c.n) FROM (
                 SELECT i.type, count(*)::int AS n FROM ${this.s}.identifiers i WHERE i.profile_id = p.id GROUP BY i.type
               ) c) AS counts
       FROM ${this.s}.profiles p WHERE p.id = ANY($1::uuid[])`,
      [profileIds],
    );
    const refsByProfile = new Map<string, string[]>();
    for (const [ref, profileId] of owners) refsByProfile.set(profileId, [...(refsByProfile.get(profileId) ?? []), ref]);
    for (const p of profiles) {
      // Identifiers only ever point at live profiles; anything else is corruption, not contention.
      if (p.status !== 'live') throw new IdentityError('GRAPH_CORRUPT', `identifiers point at profile ${p.id}, which is ${p.status}`, 500);
      const typeCounts = new Map(Object.entries(p.counts ?? {}));
      const identifierCount = [...typeCounts.values()].reduce((sum, n) => sum + n, 0);
      addLoadedProfile(
        graph,
        { id: p.id, firstSeen: p.first_seen.getTime(), mergeCount: p.merge_count, identifierCount, typeCounts },
        refsByProfile.get(p.id) ?? [],
      );
    }
    return graph;
  }

  /** Writes a batch's changes: a fixed number of set-based statements. */
  async write(tx: SqlExecutor, batch: GraphWrite): Promise<void> {
    const { changes } = batch;
    if (changes.length > 0) {
      const seqs = await this.nextSeqs(tx, changes.length);
      await this.insertProfiles(tx, changes);
      await this.insertIdentifiers(tx, changes, seqs, batch.links);
      await this.applyMerges(tx, changes, seqs, batch.graph);
      await this.appendLog(tx, changes, seqs);
    }
    await this.touch(tx, batch.identifiersSeen, batch.profilesSeen);
  }

  private async owners(tx: SqlExecutor, keys: readonly IdentifierKey[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const rows = await tx.query<{ type: string; hash: string; profile_id: string }>(
      `SELECT i.type, encode(i.value_hash, 'hex') AS hash, i.profile_id
       FROM unnest($1::text[], $2::text[]) AS k(type, hash)
       JOIN ${this.s}.identifiers i ON i.type = k.type AND i.value_hash = decode(k.hash, 'hex')`,
      [keys.map((k) => k.type), keys.map((k) => k.hash)],
    );
    return new Map(rows.map((r) => [refOf(r), r.profile_id]));
  }

  private async nextSeqs(tx: SqlExecutor, n: number): Promise<number[]> {
    const rows = await tx.query<{ seq: string }>(`SELECT nextval('${this.s}.graph_seq')::text AS seq FROM generate_series(1, $1)`, [n]);
    // Values of one call are not guaranteed contiguous (another session may interleave), only distinct
    // and, being drawn in one statement, handed out in ascending order.
    return rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
  }

  private async insertProfiles(tx: SqlExecutor, changes: readonly GraphChange[]): Promise<void> {
    const created = changes.filter((c): c is Extract<GraphChange, { kind: 'ProfileCreated' }> => c.kind === 'ProfileCreated');
    if (created.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.profiles (id, first_seen, last_seen, created_by_event)
       SELECT id, to_timestamp(t / 1000.0), to_timestamp(t / 1000.0), e FROM unnest($1::uuid[], $2::float8[], $3::text[]) AS x(id, t, e)`,
      [created.map((c) => c.profileId), created.map((c) => c.occurredAt), created.map((c) => c.eventId)],
    );
  }

  private async insertIdentifiers(tx: SqlExecutor, changes: readonly GraphChange[], seqs: readonly number[], links: ReadonlyMap<string, LinkDetails>): Promise<void> {
    const rows: Array<{ key: IdentifierKey; change: Extract<GraphChange, { kind: 'IdentifierLinked' }>; seq: number; details: LinkDetails }> = [];
    changes.forEach((change, i) => {
      if (change.kind !== 'IdentifierLinked') return;
      const details = links.get(change.ref);
      if (!details) throw new IdentityError('GRAPH_CORRUPT', `no sealed value for the identifier linked by event ${change.eventId}`, 500);
      rows.push({ key: keyOf(change.ref), change, seq: seqs[i], details });
    });
    if (rows.length === 0) return;
    await tx.query(
      `INSERT INTO ${this.s}.identifiers
         (type, value_hash, value_enc, key_subject, profile_id, first_seen, last_seen, source_id, first_event_id, linked_seq, linked_via)
       SELECT x.type, decode(x.hash, 'hex'), x.enc, x.subject, x.profile_id, to_timestamp(x.t / 1000.0), to_timestamp(x.t / 1000.0),
              x.source_id, x.event_id, x.seq, ARRAY(SELECT jsonb_array_elements_text(x.via))
       FROM unnest($1::text[], $2::text[], $3::bytea[], $4::uuid[], $5::uuid[], $6::float8[], $7::text[], $8::text[], $9::bigint[], $10::jsonb[])
         AS x(type, hash, enc, subject, profile_id, t, source_id, event_id, seq, via)`,
      [
        rows.map((r) => r.key.type),
        rows.map((r) => r.key.hash),
        rows.map((r) => r.details.valueEnc),
        rows.map((r) => r.details.keySubject),
        rows.map((r) => r.change.profileId),
        rows.map((r) => r.change.occurredAt),
        rows.map((r) => r.details.sourceId),
        rows.map((r) => r.change.eventId),
        rows.map((r) => r.seq),
        rows.map((r) => JSON.stringify(r.change.via)),
      ],
    );
  }

  private async applyMerges(tx: SqlExecutor, changes: readonly GraphChange[], seqs: readonly number[], graph: IdentityGraph): Promise<void> {
    const merges: Array<{ change: Extract<GraphChange, { kind: 'ProfilesMerged' }>; seq: number }> = [];
    changes.forEach((change, i) => {
      if (change.kind === 'ProfilesMerged') merges.push({ change, seq: seqs[i] });
    });
    if (merges.length === 0) return;

    await tx.query(
      `INSERT INTO ${this.s}.merges (id, seq, survivor_id, merged_ids, rule, event_id, occurred_at)
       SELECT id, seq, survivor_id, merged_ids, rule, event_id, to_timestamp(t / 1000.0)
       FROM json_to_recordset($1::json) AS x(id uuid, seq bigint, survivor_id uuid, merged_ids uuid[], rule text, event_id text, t float8)`,
      [
        JSON.stringify(
          merges.map(({ change, seq }) => ({
            id: change.mergeId,
            seq,
            survivor_id: change.survivorId,
            merged_ids: change.mergedIds,
            rule: change.rule,
            event_id: change.eventId,
            t: change.occurredAt,
          })),
        ),
      ],
    );
    // What each merged profile held at its merge, read before anything is re-pointed: its own rows
    // and those of profiles merged into it earlier in this batch still carry their original owner.
    const memberRows = merges.flatMap(({ change }) =>
      change.members.flatMap((m) => m.origins.map((origin) => ({ merge: change.mergeId, member: m.profileId, origin }))),
    );
    await tx.query(
      `INSERT INTO ${this.s}.merge_members (merge_id, member_profile_id, identifier_id)
       SELECT m.merge_id, m.member, i.id
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS m(merge_id, member, origin)
       JOIN ${this.s}.identifiers i ON i.profile_id = m.origin`,
      [memberRows.map((r) => r.merge), memberRows.map((r) => r.member), memberRows.map((r) => r.origin)],
    );
    const merged = merges.flatMap(({ change }) => change.mergedIds.map((id) => ({ id, into: change.survivorId })));
    const finalOwner = (id: string) => {
      let at = id;
      for (let next = graph.mergedInto.get(at); next !== undefined; next = graph.mergedInto.get(at)) at = next;
      return at;
    };
    await tx.query(
      `UPDATE ${this.s}.identifiers i SET profile_id = m.final FROM unnest($1::uuid[], $2::uuid[]) AS m(merged, final) WHERE i.profile_id = m.merged`,
      [merged.map((m) => m.id), merged.map((m) => finalOwner(m.id))],
    );
    await tx.query(
      `UPDATE ${this.s}.profiles p SET status = 'merged', merged_into = m.target, updated_at = now()
       FROM unnest($1::uuid[], $2::uuid[]) AS m(id, target) WHERE p.id = m.id`,
      [merged.map((m) => m.id), merged.map((m) => m.into)],
    );
    const survivors = [...new Set(merges.map(({ change }) => finalOwner(change.survivorId)))];
    await tx.query(
      `UPDATE ${this.s}.profiles p SET merge_count = s.n, updated_at = now() FROM unnest($1::uuid[], $2::int[]) AS s(id, n) WHERE p.id = s.id`,
      [survivors, survivors.map((id) => graph.profiles.get(id)!.mergeCount)],
    );
  }

  private async appendLog(tx: SqlExecutor, changes: readonly GraphChange[], seqs: readonly number[]): Promise<void> {
    const rows = changes.map((change, i) => logRow(change, seqs[i]));
    await tx.query(
      `INSERT INTO ${this.s}.graph_log (seq, kind, profile_id, related_profile_ids, identifier_type, identifier_hash, event_id, rule, details, occurred_at)
       SELECT seq, kind, profile_id, related, identifier_type, decode(identifier_hash, 'hex'), event_id, rule, details, to_timestamp(t / 1000.0)
       FROM json_to_recordset($1::json)
         AS x(seq bigint, kind text, profile_id uuid, related uuid[], identifier_type text, identifier_hash text, event_id text, rule text, details jsonb, t float8)`,
      [JSON.stringify(rows)],
    );
  }

  private async touch(tx: SqlExecutor, identifiersSeen: ReadonlyMap<string, number>, profilesSeen: ReadonlyMap<string, number>): Promise<void> {
    if (identifiersSeen.size > 0) {
      const keys = [...identifiersSeen.keys()].map(keyOf);
      await tx.query(
        `UPDATE ${this.s}.identifiers i SET last_seen = to_timestamp(s.t / 1000.0)
         FROM unnest($1::text[], $2::text[], $3::float8[]) AS s(type, hash, t)
         WHERE i.type = s.type AND i.value_hash = decode(s.hash, 'hex') AND i.last_seen < to_timestamp((s.t - $4) / 1000.0)`,
        [keys.map((k) => k.type), keys.map((k) => k.hash), [...identifiersSeen.values()], LAST_SEEN_GRANULARITY_MS],
      );
    }
    if (profilesSeen.size > 0) {
      await tx.query(
        `UPDATE ${this.s}.profiles p SET last_seen = to_timestamp(s.t / 1000.0)
         FROM unnest($1::uuid[], $2::float8[]) AS s(id, t)
         WHERE p.id = s.id AND p.last_seen < to_timestamp((s.t - $3) / 1000.0)`,
        [[...profilesSeen.keys()], [...profilesSeen.values()], LAST_SEEN_GRANULARITY_MS],
      );
    }
  }
}

/** First 8 bytes of the blind index, as the signed 64-bit key of pg_advisory_xact_lock. */
function advisoryKey(key: IdentifierKey): bigint {
  return BigInt.asIntN(64, BigInt(`0x${key.hash.slice(0, 16)}`));
}

function logRow(change: GraphChange, seq: number): Record<string, unknown> {
  const base = { seq, kind: change.kind, event_id: change.eventId, t: change.occurredAt, related: [] as string[], identifier_type: null, identifier_hash: null, rule: null };
  switch (change.kind) {
    case 'ProfileCreated':
      return { ...base, profile_id: change.profileId, details: {} };
    case 'IdentifierLinked': {
      const key = keyOf(change.ref);
      return { ...base, profile_id: change.profileId, identifier_type: key.type, identifier_hash: key.hash, details: { via: change.via } };
    }
    case 'ProfilesMerged':
      return { ...base, profile_id: change.survivorId, related: change.mergedIds, rule: change.rule, details: { mergeId: change.mergeId, via: change.via } };
    case 'IdentifierDropped': {
      const key = keyOf(change.ref);
      return {
        ...base,
        profile_id: change.profileIds[0],
        identifier_type: key.type,
        identifier_hash: key.hash,
        rule: change.reason,
        details: { reason: change.reason, limit: change.detail },
      };
    }
    case 'MergeCapped':
      return {
        ...base,
        profile_id: change.survivorId,
        related: change.profileIds.filter((id) => id !== change.survivorId),
        rule: change.cap,
        details: { cap: change.cap, wouldBe: change.wouldBe, limit: change.limit },
      };
    default: {
      const unreachable: never = change;
      throw new RangeError(`unhandled graph change ${JSON.stringify(unreachable)}`);
    }
  }
}
