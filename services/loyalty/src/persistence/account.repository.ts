import { Injectable } from '@nestjs/common';
import type { EncodedRecord, SqlExecutor } from '@cdp/kafka';
import { type AccountState, emptyAccount, isLedgerEvent, type LedgerEvent, type LoyaltyEvent, type Programme } from '../domain';

/** An account as stored: its folded state (the snapshot) and the stream position it reflects. */
export interface StoredAccount {
  state: AccountState;
  /** Stream position of the last event in the snapshot (0: no event yet). */
  version: number;
}

/** What a unit of work changed on one account: the events it appended and the account after them. */
export interface AccountWrite {
  programmeId: string;
  profileId: string;
  /** The snapshot's version before the events. */
  fromVersion: number;
  events: readonly LoyaltyEvent[];
  after: AccountState;
  activePoints: number;
  pendingPoints: number;
  tier: string | null;
  nextDueAt: number | null;
}

export interface HistoryRow {
  seq: number;
  entry: LedgerEvent;
}

/** A programme row as a command reads it; `document` is null when the caller's cached version is current. */
export interface ProgrammeRow {
  id: string;
  programme_version: number;
  active: boolean;
  document: Programme | null;
  updated_at: Date;
  updated_by: string | null;
}

interface AccountRow {
  profile_id: string;
  version: string;
  state: AccountState | null;
}

const toStored = (programmeId: string, row: AccountRow): StoredAccount => ({
  state: row.state ?? emptyAccount(programmeId, row.profile_id),
  version: Number(row.version),
});

/**
 * Accounts (snapshot rows) and their event streams. Every write path locks the account rows it will
 * decide on with `lock` first (FOR UPDATE, in profile id order, so two transactions touching the same
 * accounts queue instead of deadlocking); `append` then writes the events, the rows of new accounts
 * and the snapshots of the others in one statement of multi-row writes. The (stream,
 * seq) primary key of account_events is the last guard: a writer that did not hold the lock could
 * not write a position twice.
 */
@Injectable()
export class AccountRepository {
  /**
   * Locks and loads accounts. An account never written has no row yet: it comes back as the empty
   * account at version 0, and `append` creates its row; if another transaction created it
   * meanwhile, `append` fails with a serialization failure, and the work runs again from the start
   * (the consumer's runtime and the API's transactions both retry those at once).
   */
  async lock(tx: SqlExecutor, programmeId: string, profileIds: readonly string[]): Promise<Map<string, StoredAccount>> {
    const ids = [...new Set(profileIds)].sort();
    const out = new Map<string, StoredAccount>();
    if (ids.length === 0) return out;
    const rows = await tx.query<AccountRow>(
      `SELECT profile_id, version, state FROM loyalty.accounts
       WHERE programme_id = $1 AND profile_id = ANY($2::text[]) ORDER BY profile_id FOR UPDATE`,
      [programmeId, ids],
    );
    for (const row of rows) out.set(row.profile_id, toStored(programmeId, row));
    for (const id of ids) if (!out.has(id)) out.set(id, { state: emptyAccount(programmeId, id), version: 0 });
    return out;
  }

  /**
   * A command's first round trip: the programme's version (its document only when it is not
   * `knownVersion`, which the caller has cached) and the locked accounts. Null when there is no such
   * programme.
   */
  async lockWithProgramme(
    tx: SqlExecutor,
    programmeId: string,
    profileIds: readonly string[],
    knownVersion: number | null,
  ): Promise<{ programme: ProgrammeRow; accounts: Map<string, StoredAccount> } | null> {
    const ids = [...new Set(profileIds)].sort();
    const rows = await tx.query<ProgrammeRow & Partial<AccountRow>>(
      `SELECT p.id, p.version AS programme_version, p.active, CASE WHEN p.version = $3 THEN NULL ELSE p.document END AS document, p.updated_at, p.updated_by,
              a.profile_id, a.version, a.state
       FROM loyalty.programmes p
       LEFT JOIN LATERAL (
         SELECT profile_id, version, state FROM loyalty.accounts WHERE programme_id = p.id AND profile_id = ANY($2::text[]) ORDER BY profile_id FOR UPDATE
       ) a ON true
       WHERE p.id = $1`,
      [programmeId, ids, knownVersion ?? -1],
    );
    if (rows.length === 0) return null;
    const accounts = new Map<string, StoredAccount>();
    for (const row of rows) if (row.profile_id) accounts.set(row.profile_id, toStored(programmeId, row as AccountRow));
    for (const id of ids) if (!accounts.has(id)) accounts.set(id, { state: emptyAccount(programmeId, id), version: 0 });
    const { id, programme_version, active, document, updated_at, updated_by } = rows[0];
    return { programme: { id, programme_version, active, document, updated_at, updated_by }, accounts };
  }

  /** Reads an account without locking it (summaries); null when it was never written. */
  async read(tx: SqlExecutor, programmeId: string, profileId: string): Promise<StoredAccount | null> {
    const [row] = await tx.query<AccountRow>(`SELECT profile_id, version, state FROM loyalty.accounts WHERE programme_id = $1 AND profile_id = $2`, [programmeId, profileId]);
    return row && row.state ? toStored(programmeId, row) : null;
  }

  /** Claims accounts whose due work is due at `now`, skipping those another transaction holds. */
  async claimDue(tx: SqlExecutor, now: number, limit: number): Promise<Array<{ programmeId: string; account: StoredAccount }>> {
    const rows = await tx.query<AccountRow & { programme_id: string }>(
      `SELECT programme_id, profile_id, version, state FROM loyalty.accounts
       WHERE next_due_at <= $1 ORDER BY next_due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map((row) => ({ programmeId: row.programme_id, account: toStored(row.programme_id, row) }));
  }

  /**
   * Appends, and queues `outbox` records (encoded events of the same transaction) in the same
   * statement: outside a Kafka batch, the outbox is written here rather than by the runtime.
   */
  async append(tx: SqlExecutor, writes: readonly AccountWrite[], outbox: readonly EncodedRecord[] = []): Promise<void> {
    const changed = writes.filter((w) => w.events.length > 0);
    if (changed.length === 0 && outbox.length === 0) return;
    // Rows travel as one JSON document each way, expanded by the server (json_to_recordset): a
    // text[] of JSON would have the driver escape every quote of every event into an array literal.
    const events: string[] = [];
    for (const w of changed) {
      w.events.forEach((event, i) => {
        events.push(
          `{"p":${JSON.stringify(w.programmeId)},"a":${JSON.stringify(w.profileId)},"s":${w.fromVersion + i + 1},"i":${JSON.stringify(event.id)},"t":"${event.type}","o":${event.occurredAt},"l":${isLedgerEvent(event)},"e":${JSON.stringify(event)}}`,
        );
      });
    }
    const row = (w: AccountWrite) =>
      `{"p":${JSON.stringify(w.programmeId)},"a":${JSON.stringify(w.profileId)},"v":${w.fromVersion + w.events.length},"st":"${w.after.status.kind}","ac":${w.activePoints},"pe":${w.pendingPoints},"ti":${JSON.stringify(w.tier)},"d":${w.nextDueAt ?? 'null'},"s":${JSON.stringify(w.after)}}`;
    const created = changed.filter((w) => w.fromVersion === 0);
    const updated = changed.filter((w) => w.fromVersion > 0);
    // One round trip: the events, the rows of new accounts, the snapshots of the others.
    const [result] = await tx.query<{ inserted: string }>(
      `WITH appended AS (
         INSERT INTO loyalty.account_events (programme_id, profile_id, seq, event_id, type, occurred_at, ledger, event)
         SELECT p, a, s, i, t, o, l, e FROM json_to_recordset($1::json) AS r (p text, a text, s bigint, i text, t text, o bigint, l boolean, e json)
       ), created AS (
         INSERT INTO loyalty.accounts (programme_id, profile_id, version, status, active_points, pending_points, tier, next_due_at, state)
         SELECT p, a, v, st, ac, pe, ti, d, s FROM json_to_recordset($2::json) AS u (p text, a text, v bigint, st text, ac bigint, pe bigint, ti text, d bigint, s json)
         ON CONFLICT (programme_id, profile_id) DO NOTHING RETURNING 1
       ), updated AS (
         UPDATE loyalty.accounts AS a SET version = u.v, status = u.st, active_points = u.ac, pending_points = u.pe, tier = u.ti, next_due_at = u.d, state = u.s, updated_at = now()
         FROM json_to_recordset($3::json) AS u (p text, a text, v bigint, st text, ac bigint, pe bigint, ti text, d bigint, s json)
         WHERE a.programme_id = u.p AND a.profile_id = u.a
       ), queued AS (
         -- The Kafka runtime's outbox (insertOutbox's columns), in event order: ids follow the rows.
         INSERT INTO loyalty.outbox (event_id, topic, key, value, headers)
         SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::bytea[], $8::jsonb[])
       )
       SELECT count(*) AS inserted FROM created`,
      [
        `[${events.join(',')}]`,
        `[${created.map(row).join(',')}]`,
        `[${updated.map(row).join(',')}]`,
        outbox.map((r) => r.eventId),
        outbox.map((r) => r.topic),
        outbox.map((r) => r.key),
        outbox.map((r) => r.value),
        outbox.map((r) => JSON.stringify(r.headers)),
      ],
    );
    if (Number(result.inserted) < created.length) {
      throw Object.assign(new Error(`${created.length - Number(result.inserted)} new account(s) were created by another transaction meanwhile`), { code: '40001' });
    }
  }

  /** Moves due times without appending (an account whose due work decided nothing). */
  async reschedule(tx: SqlExecutor, items: ReadonlyArray<{ programmeId: string; profileId: string; nextDueAt: number | null }>): Promise<void> {
    if (items.length === 0) return;
    await tx.query(
      `UPDATE loyalty.accounts AS a SET next_due_at = u.next_due_at
       FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u (programme_id, profile_id, next_due_at)
       WHERE a.programme_id = u.programme_id AND a.profile_id = u.profile_id`,
      [items.map((i) => i.programmeId), items.map((i) => i.profileId), items.map((i) => i.nextDueAt)],
    );
  }

  /**
   * A page of ledger entries, newest first by (occurred_at, seq): the domain's historyPage in SQL,
   * keyset-paginated so that entries appended meanwhile never shift pages.
   */
  async history(tx: SqlExecutor, programmeId: string, profileId: string, limit: number, after: [number, number] | null): Promise<HistoryRow[]> {
    const rows = await tx.query<{ seq: string; event: LedgerEvent }>(
      `SELECT seq, event FROM loyalty.account_events
       WHERE programme_id = $1 AND profile_id = $2 AND ledger
         AND ($3::bigint IS NULL OR (occurred_at, seq) < ($3::bigint, $4::bigint))
       ORDER BY occurred_at DESC, seq DESC LIMIT $5`,
      [programmeId, profileId, after?.[0] ?? null, after?.[1] ?? null, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), entry: r.event }));
  }

  /** Owners of referral codes, for the domain's `referralCodeOwner` lookup. */
  async referralCodeOwners(tx: SqlExecutor, programmeId: string, codes: readonly string[]): Promise<Map<string, string>> {
    if (codes.length === 0) return new Map();
    const rows = await tx.query<{ code: string; profile_id: string }>(`SELECT code, profile_id FROM loyalty.referral_codes WHERE programme_id = $1 AND code = ANY($2::text[])`, [programmeId, [...new Set(codes)]]);
    return new Map(rows.map((r) => [r.code, r.profile_id]));
  }

  async insertReferralCodes(tx: SqlExecutor, programmeId: string, codes: ReadonlyArray<{ code: string; profileId: string }>): Promise<void> {
    if (codes.length === 0) return;
    await tx.query(`INSERT INTO loyalty.referral_codes (programme_id, code, profile_id) SELECT $1, * FROM unnest($2::text[], $3::text[])`, [
      programmeId,
      codes.map((c) => c.code),
      codes.map((c) => c.profileId),
    ]);
  }
}
