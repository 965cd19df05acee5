import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ErasureConfirmed, ErasureRequested, ProfileChanged } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import { batchResult, type BatchResult, type ConsumedBatch, drop, type MessageResult, type OutgoingEvent, quoteIdent, type SqlExecutor } from '@cdp/kafka';
import { DataKeyStore, type Principal } from '@cdp/security';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { ProfileConfig } from '../config';
import { ERASURE_LOCK_EXCLUSIVE } from '../persistence/projection.repository';
import { OutboxWriter } from './outbox-writer';
import { profileChangedId, uuidV5 } from './profile-ids';
import { ProfileError } from './profile.error';
import { type Clock, PROFILE_CLOCK } from './profile.tokens';

export interface ErasureReceipt {
  requestId: string;
  profileId: string;
  profileIds: string[];
  requestedBy: string;
  reason: string | null;
  requestedAt: string;
  /** Every expected service has confirmed every profile id of the request. */
  complete: boolean;
  services: Array<{ service: string; expected: boolean; confirmedAt: string | null; pendingProfileIds: string[]; details: Record<string, unknown> }>;
}

/** Tables holding facts of a profile, all keyed by profile_id. */
const FACT_TABLES = ['traits', 'identifiers', 'addresses', 'consents', 'orders', 'order_adjustments', 'interactions', 'spend', 'affinities', 'views'];
const SERVICE = 'profile';

/**
 * Erasure of a person: in one transaction (exclusive against the projection's batches, so none
 * writes facts of the profile meanwhile) the rows of every profile of the merge group are deleted,
 * their data keys shredded (whatever ciphertext is left anywhere can no longer be read), the ids
 * remembered so late events are dropped, and the outbox gets an ErasureRequested per profile id for
 * the other services, this service's own ErasureConfirmed, a ProfileChanged saying `erased` (empty
 * snapshot) for consumers following the topic, then a tombstone for the profile id, so that compaction
 * leaves nothing of the profile on cdp.profile.changed.
 * Confirmations of the other services arrive on cdp.privacy.erasure-confirmed and fill the receipt.
 */
@Injectable()
export class ErasureService {
  /** The service's schema (DATABASE_SCHEMA), quoted. */
  private readonly s: string;

  constructor(
    private readonly db: DataSource,
    private readonly dataKeys: DataKeyStore,
    private readonly outbox: OutboxWriter,
    @Inject(SERVICE_CONFIG) private readonly config: ProfileConfig,
    @Inject(PROFILE_CLOCK) private readonly clock: Clock,
  ) {
    this.s = quoteIdent(config.database.schema);
  }

  async erase(id: string, principal: Principal, reason: string | null): Promise<ErasureReceipt> {
    const requestId = randomUUID();
    await this.db.transaction(async (tx) => {
      await tx.query(ERASURE_LOCK_EXCLUSIVE);
      const [row] = await tx.query<Array<{ live_id: string | null; erased: boolean }>>(
        `SELECT (SELECT live_id FROM ${this.s}.profiles WHERE profile_id = $1) AS live_id, EXISTS (SELECT 1 FROM ${this.s}.erased_profiles WHERE profile_id = $1) AS erased`,
        [id],
      );
      if (!row?.live_id) throw row?.erased ? new ProfileError('PROFILE_ERASED', `profile ${id} was erased already`, 410) : ProfileError.notFound(id);
      const liveId = row.live_id;
      const members = await tx.query<Array<{ profile_id: string; version: string }>>(
        `SELECT profile_id, version::text AS version FROM ${this.s}.profiles WHERE live_id = $1 ORDER BY profile_id FOR UPDATE`,
        [liveId],
      );
      const ids = [liveId, ...members.map((m) => m.profile_id).filter((m) => m !== liveId)];
      const rows = await this.deleteFacts(tx, ids);
      let shredded = 0;
      for (const profileId of ids) if (await this.dataKeys.shred(tx, profileId)) shredded += 1;
      await tx.query(`DELETE FROM ${this.s}.merges WHERE survivor_id = ANY($1::text[]) OR merged_ids && $1::text[]`, [ids]);
      await tx.query(`DELETE FROM ${this.s}.profiles WHERE profile_id = ANY($1::text[])`, [ids]);
      await tx.query(`INSERT INTO ${this.s}.erased_profiles (profile_id, request_id) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`, [ids, requestId]);
      await tx.query(`INSERT INTO ${this.s}.erasure_requests (request_id, profile_id, profile_ids, requested_by, reason, expected_services) VALUES ($1, $2, $3, $4, $5, $6)`, [
        requestId,
        liveId,
        ids,
        principal.tokenId,
        reason,
        this.config.profile.erasureServices,
      ]);
      const now = this.clock();
      const details = { rows, dataKeysShredded: shredded, profiles: ids.length };
      await tx.query(
        `INSERT INTO ${this.s}.erasure_confirmations (request_id, service, profile_id, erased_at, details)
         SELECT $1, $2, unnest($3::text[]), $4::timestamptz, $5::jsonb ON CONFLICT DO NOTHING`,
        [requestId, SERVICE, ids, new Date(now).toISOString(), JSON.stringify(details)],
      );
      const versions = new Map(members.map((m) => [m.profile_id, Number(m.version)]));
      const events: OutgoingEvent[] = [];
      for (const profileId of ids) {
        const metadata = { correlationId: requestId, causationId: requestId, producer: SERVICE, schemaVersion: 1 };
        const requested: ErasureRequested = {
          id: uuidV5(`erasure-requested/${requestId}/${profileId}`),
          type: 'ErasureRequested',
          occurredAt: now,
          data: { requestId, profileId, requestedBy: principal.tokenId, reason },
          metadata,
        };
        const confirmed: ErasureConfirmed = {
          id: uuidV5(`erasure-confirmed/${requestId}/${SERVICE}/${profileId}`),
          type: 'ErasureConfirmed',
          occurredAt: now,
          data: { requestId, profileId, service: SERVICE, erasedAt: now, details: JSON.stringify(details) },
          metadata,
        };
        const version = (versions.get(profileId) ?? 0) + 1;
        const changed: ProfileChanged = {
          id: profileChangedId(profileId, version),
          type: 'ProfileChanged',
          occurredAt: now,
          data: { profileId, version, changes: [{ field: 'erased', oldValue: null, newValue: 'true', valueTimestamp: now }], traits: '{}', causeEventId: requested.id },
          metadata,
        };
        events.push(
          { topic: TOPICS.privacyErasureRequested, key: profileId, schema: 'cdp.privacy.ErasureRequested', value: requested },
          { topic: TOPICS.privacyErasureConfirmed, key: profileId, schema: 'cdp.privacy.ErasureConfirmed', value: confirmed },
          { topic: TOPICS.profileChanged, key: profileId, schema: 'cdp.profile.ProfileChanged', value: changed },
          // The tombstone: compaction drops every ProfileChanged of the key, this last one included.
          { topic: TOPICS.profileChanged, key: profileId, schema: 'cdp.profile.ProfileChanged', value: null, eventId: uuidV5(`profile-tombstone/${requestId}/${profileId}`) },
        );
      }
      await this.outbox.write(tx, events);
    });
    return this.receipt(requestId);
  }

  async receipt(requestId: string): Promise<ErasureReceipt> {
    const [request] = await this.db.query<Array<{ request_id: string; profile_id: string; profile_ids: string[]; requested_by: string; reason: string | null; expected_services: string[]; requested_at: Date }>>(
      `SELECT * FROM ${this.s}.erasure_requests WHERE request_id = $1`,
      [requestId],
    );
    if (!request) throw new ProfileError('ERASURE_NOT_FOUND', `no erasure request ${requestId}`, 404);
    const confirmations = await this.db.query<Array<{ service: string; profile_id: string; erased_at: Date; confirmed_at: Date; details: Record<string, unknown> }>>(
      `SELECT service, profile_id, erased_at, confirmed_at, details FROM ${this.s}.erasure_confirmations WHERE request_id = $1`,
      [requestId],
    );
    const services = [...new Set([...request.expected_services, ...confirmations.map((c) => c.service)])];
    const view = services.map((service) => {
      const mine = confirmations.filter((c) => c.service === service);
      const confirmed = new Set(mine.map((c) => c.profile_id));
      const pending = request.profile_ids.filter((p) => !confirmed.has(p));
      const latest = mine.reduce<Date | null>((at, c) => (at === null || c.confirmed_at > at ? c.confirmed_at : at), null);
      return {
        service,
        expected: request.expected_services.includes(service),
        confirmedAt: pending.length === 0 && latest ? latest.toISOString() : null,
        pendingProfileIds: pending,
        details: Object.fromEntries(mine.map((c) => [c.profile_id, c.details])),
      };
    });
    return {
      requestId,
      profileId: request.profile_id,
      profileIds: request.profile_ids,
      requestedBy: request.requested_by,
      reason: request.reason,
      requestedAt: request.requested_at.toISOString(),
      complete: view.filter((s) => s.expected).every((s) => s.confirmedAt !== null),
      services: view,
    };
  }

  /** Records the confirmations of the requests this service filed; others are not ours to keep. */
  async confirmations(batch: ConsumedBatch<ErasureConfirmed>): Promise<BatchResult> {
    const requestIds = [...new Set(batch.messages.map((m) => m.value.data.requestId))];
    const known = new Set(
      (await batch.tx.query<{ request_id: string }>(`SELECT request_id FROM ${this.s}.erasure_requests WHERE request_id = ANY($1::text[])`, [requestIds])).map((r) => r.request_id),
    );
    const verdicts: Array<[string, MessageResult]> = [];
    const rows = batch.messages.filter((m) => {
      if (known.has(m.value.data.requestId)) return true;
      verdicts.push([m.eventId, drop('UNKNOWN_ERASURE_REQUEST')]);
      return false;
    });
    if (rows.length > 0) {
      await batch.tx.query(
        `INSERT INTO ${this.s}.erasure_confirmations (request_id, service, profile_id, erased_at, details)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[]) ON CONFLICT DO NOTHING`,
        [
          rows.map((m) => m.value.data.requestId),
          rows.map((m) => m.value.data.service),
          rows.map((m) => m.value.data.profileId),
          rows.map((m) => new Date(m.value.data.erasedAt).toISOString()),
          rows.map((m) => detailsJson(m.value.data.details)),
        ],
      );
    }
    return batchResult(verdicts);
  }

  private async deleteFacts(tx: SqlExecutor, ids: readonly string[]): Promise<number> {
    let total = 0;
    for (const table of FACT_TABLES) {
      const [row] = await tx.query<{ n: number }>(`WITH d AS (DELETE FROM ${this.s}.${table} WHERE profile_id = ANY($1::text[]) RETURNING 1) SELECT count(*)::int AS n FROM d`, [ids]);
      total += Number(row?.n ?? 0);
    }
    return total;
  }
}

function detailsJson(details: string): string {
  try {
    const parsed = JSON.parse(details) as unknown;
    return JSON.stringify(parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : { value: parsed });
  } catch {
    return JSON.stringify({ unparsed: details.slice(0, 1000) });
  }
}
