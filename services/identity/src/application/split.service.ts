import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { ServiceConfig } from '@cdp/config';
import { DataSource } from 'typeorm';
import type { ProfileSplit } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import { quoteIdent, type SqlExecutor } from '@cdp/kafka';
import { planSplit } from '../domain';
import { IdentityQueries } from '../persistence/identity-queries';
import { IdentifierVault } from './identifier-vault';
import { IdentityError } from './identity.error';
import { splitId as splitIdOf } from './identity-ids';
import { IdentityOutbox } from './identity-outbox';

export interface SplitRequest {
  reason: string;
  requestedBy: string | null;
}

export interface SplitOutcome {
  splitId: string;
  mergeId: string;
  profileId: string;
  restoredProfileIds: string[];
  moved: Array<{ profileId: string; identifiers: number }>;
}

/**
 * Undoes a merge from the audit trail it left (see domain/unmerge.ts for what moves), in one
 * transaction: the profiles involved are locked first (the same locks a batch takes before it reads
 * their identifiers), identifiers re-pointed, the merged profiles live again, the merge marked undone,
 * the split logged, and ProfileSplit queued in the outbox so downstream services separate their views.
 */
@Injectable()
export class SplitService {
  private readonly s: string;

  constructor(
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly dataSource: DataSource,
    private readonly queries: IdentityQueries,
    private readonly vault: IdentifierVault,
    private readonly outbox: IdentityOutbox,
  ) {
    this.s = quoteIdent(config.database.schema);
  }

  split(mergeId: string, request: SplitRequest): Promise<SplitOutcome> {
    return this.dataSource.transaction((manager) => this.splitIn(executor(manager), mergeId, request));
  }

  private async splitIn(tx: SqlExecutor, mergeId: string, request: SplitRequest): Promise<SplitOutcome> {
    const merge = await this.queries.merge(tx, mergeId, true);
    if (!merge) throw new IdentityError('MERGE_NOT_FOUND', `no merge ${mergeId}`, 404);
    if (merge.undone_by) throw new IdentityError('MERGE_ALREADY_UNDONE', `merge ${mergeId} was already undone by split ${merge.undone_by}`, 409, { splitId: merge.undone_by });

    // The survivor may have been merged again since: its identifiers are with the live profile now.
    const holder = await this.lockedHolder(tx, merge.survivor_id, merge.merged_ids);
    const restorable = await tx.query<{ id: string; status: string; merge_count: number }>(
      `SELECT id, status, merge_count FROM ${this.s}.profiles WHERE id = ANY($1::uuid[])`,
      [merge.merged_ids],
    );
    const gone = restorable.filter((p) => p.status !== 'merged');
    if (gone.length > 0) {
      throw new IdentityError('MERGE_ALREADY_UNDONE', `profiles ${gone.map((p) => `${p.id} (${p.status})`).join(', ')} of merge ${mergeId} are no longer merged`, 409);
    }
    const members = await tx.query<{ profile_id: string; identifier_id: string }>(
      `SELECT member_profile_id AS profile_id, identifier_id::text FROM ${this.s}.merge_members WHERE merge_id = $1`,
      [mergeId],
    );
    const held = await tx.query<{ id: string; type: string; hash: string; linked_seq: string; linked_via: string[]; value_enc: Buffer; key_subject: string }>(
      `SELECT id::text, type, encode(value_hash, 'hex') AS hash, linked_seq::text, linked_via, value_enc, key_subject
       FROM ${this.s}.identifiers WHERE profile_id = $1`,
      [holder],
    );
    const plan = planSplit(
      { mergeId, seq: Number(merge.seq), mergedIds: merge.merged_ids },
      members.map((m) => ({ profileId: m.profile_id, identifierId: m.identifier_id })),
      held.map((h) => ({ identifierId: h.id, ref: `${h.type}:${h.hash}`, linkedSeq: Number(h.linked_seq), via: h.linked_via })),
    );

    const moves = plan.moves.flatMap((m) => m.identifierIds.map((id) => ({ id, target: m.profileId })));
    const splitId = splitIdOf(mergeId);
    const [{ seq }] = await tx.query<{ seq: string }>(`SELECT nextval('${this.s}.graph_seq')::text AS seq`);
    await tx.query(
      `UPDATE ${this.s}.identifiers i SET profile_id = m.target FROM unnest($1::bigint[], $2::uuid[]) AS m(id, target) WHERE i.id = m.id`,
      [moves.map((m) => m.id), moves.map((m) => m.target)],
    );
    await tx.query(`UPDATE ${this.s}.profiles SET status = 'live', merged_into = NULL, updated_at = now() WHERE id = ANY($1::uuid[])`, [merge.merged_ids]);
    const absorbed = restorable.reduce((sum, p) => sum + p.merge_count + 1, 0);
    await tx.query(`UPDATE ${this.s}.profiles SET merge_count = greatest(0, merge_count - $2), updated_at = now() WHERE id = $1`, [holder, absorbed]);
    await tx.query(`UPDATE ${this.s}.merges SET undone_by = $2 WHERE id = $1`, [mergeId, splitId]);
    await tx.query(
      `INSERT INTO ${this.s}.splits (id, merge_id, profile_id, restored_ids, moved_identifier_ids, requested_by, reason)
       VALUES ($1, $2, $3, $4::uuid[], $5::bigint[], $6, $7)`,
      [splitId, mergeId, holder, merge.merged_ids, moves.map((m) => m.id), request.requestedBy, request.reason],
    );
    const moved = plan.moves.map((m) => ({ profileId: m.profileId, identifiers: m.identifierIds.length }));
    await tx.query(
      `INSERT INTO ${this.s}.graph_log (seq, kind, profile_id, related_profile_ids, rule, details, occurred_at)
       VALUES ($1::bigint, 'ProfileSplit', $2, $3::uuid[], 'operator', $4::jsonb, now())`,
      [seq, holder, merge.merged_ids, JSON.stringify({ splitId, mergeId, reason: request.reason, requestedBy: request.requestedBy, moved })],
    );

    const movedRows = held.filter((h) => moves.some((m) => m.id === h.id));
    const values = await this.vault.open(
      tx,
      movedRows.map((h) => ({ keySubject: h.key_subject, type: h.type, hash: h.hash, valueEnc: h.value_enc })),
    );
    const event: ProfileSplit = {
      id: splitId,
      type: 'ProfileSplit',
      occurredAt: Date.now(),
      data: {
        splitId,
        undoneMergeId: mergeId,
        profileId: holder,
        restoredProfileIds: [...merge.merged_ids],
        // A value whose data key was shredded (an erased person) is not named.
        movedIdentifiers: movedRows.flatMap((h, i) => (values[i] === null ? [] : [{ type: h.type, value: values[i]! }])),
        reason: request.reason,
        requestedBy: request.requestedBy,
        sourceEventId: null,
      },
      metadata: { correlationId: mergeId, causationId: mergeId, producer: 'identity', schemaVersion: 1 },
    };
    await this.outbox.emit(tx, [{ topic: TOPICS.identityProfileMerged, key: holder, schema: 'cdp.identity.ProfileSplit', value: event }]);
    return { splitId, mergeId, profileId: holder, restoredProfileIds: [...merge.merged_ids], moved };
  }

  /** Locks the live profile holding the merge's result and the merged profiles, in id order; retries if a merge moved it meanwhile. */
  private async lockedHolder(tx: SqlExecutor, survivorId: string, mergedIds: readonly string[]): Promise<string> {
    for (let round = 0; round < 5; round++) {
      const chain = await this.queries.profile(tx, survivorId);
      if (!chain || chain.live.status !== 'live') {
        throw new IdentityError('MERGE_ALREADY_UNDONE', `the profile holding merge's survivor ${survivorId} is ${chain?.live.status ?? 'gone'}`, 409);
      }
      const holder = chain.live.id;
      const locked = await tx.query<{ id: string; status: string; merged_into: string | null }>(
        `SELECT id, status, merged_into FROM ${this.s}.profiles WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
        [[holder, ...mergedIds]],
      );
      if (locked.find((p) => p.id === holder)?.status === 'live') return holder;
    }
    throw new IdentityError('GRAPH_CONTENDED', `the profile holding ${survivorId} kept changing`, 503);
  }
}

function executor(manager: { query(sql: string, params?: unknown[]): Promise<unknown> }): SqlExecutor {
  return { query: async <R>(sql: string, params?: unknown[]) => (await manager.query(sql, params)) as R[] };
}
