import { Inject, Injectable } from '@nestjs/common';
import type { ServiceConfig } from '@cdp/config';
import type { ErasureConfirmed, ErasureRequested } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import { type ConsumedBatch, quoteIdent, type SqlExecutor } from '@cdp/kafka';
import { DataKeyStore } from '@cdp/security';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import { uuidV5 } from './identity-ids';

const SERVICE = 'identity';

/**
 * Erasure of a person from the identity graph, on an ErasureRequested, in the batch's transaction:
 * the live profile the requested id is (or was merged into) and every profile merged into it are
 * marked erased, their identifiers deleted (so the person, if they come back, is a stranger), the data
 * keys their values were sealed with shredded, and the blind indexes in the graph log blanked. The log
 * keeps the fact that links and merges happened, without whom they were about. ErasureConfirmed goes
 * out for the receipt, also when there was nothing to erase.
 */
@Injectable()
export class ErasureService {
  private readonly s: string;

  constructor(
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    private readonly dataKeys: DataKeyStore,
  ) {
    this.s = quoteIdent(config.database.schema);
  }

  async erase(batch: ConsumedBatch<ErasureRequested>): Promise<void> {
    for (const message of batch.messages) {
      const request = message.value;
      const details = await this.eraseOne(batch.tx, request.data.profileId);
      const erasedAt = Date.now();
      const confirmed: ErasureConfirmed = {
        id: uuidV5(`erasure-confirmed/${request.data.requestId}/${SERVICE}/${request.data.profileId}`),
        type: 'ErasureConfirmed',
        occurredAt: erasedAt,
        data: { requestId: request.data.requestId, profileId: request.data.profileId, service: SERVICE, erasedAt, details: JSON.stringify(details) },
        metadata: { correlationId: request.data.requestId, causationId: request.id, producer: SERVICE, schemaVersion: 1 },
      };
      batch.emit({ topic: TOPICS.privacyErasureConfirmed, key: request.data.profileId, schema: 'cdp.privacy.ErasureConfirmed', value: confirmed });
    }
  }

  private async eraseOne(tx: SqlExecutor, profileId: string): Promise<Record<string, unknown>> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(profileId)) return { found: false };
    const [holder] = await tx.query<{ id: string; status: string }>(
      `WITH RECURSIVE chain AS (
         SELECT id, status, merged_into, 0 AS depth FROM ${this.s}.profiles WHERE id = $1
         UNION ALL SELECT p.id, p.status, p.merged_into, c.depth + 1 FROM ${this.s}.profiles p JOIN chain c ON p.id = c.merged_into WHERE c.depth < 1000
       ) SELECT id, status FROM chain ORDER BY depth DESC LIMIT 1`,
      [profileId],
    );
    if (!holder) return { found: false };
    if (holder.status === 'erased') return { found: true, alreadyErased: true };
    const lineage = (
      await tx.query<{ id: string }>(
        `WITH RECURSIVE lineage(id, depth) AS (
           SELECT $1::uuid, 0 UNION ALL SELECT p.id, l.depth + 1 FROM ${this.s}.profiles p JOIN lineage l ON p.merged_into = l.id WHERE l.depth < 1000
         ) SELECT id FROM lineage ORDER BY id`,
        [holder.id],
      )
    ).map((r) => r.id);
    // The same locks a batch takes before it trusts what it read about these profiles.
    await tx.query(`SELECT id FROM ${this.s}.profiles WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [lineage]);
    const removed = await tx.query<{ key_subject: string; ref: string }>(
      `WITH d AS (DELETE FROM ${this.s}.identifiers WHERE profile_id = $1 RETURNING key_subject, type || ':' || encode(value_hash, 'hex') AS ref)
       SELECT key_subject, ref FROM d`,
      [holder.id],
    );
    const subjects = [...new Set([...removed.map((r) => r.key_subject), ...lineage])];
    let shredded = 0;
    for (const subject of subjects) if (await this.dataKeys.shred(tx, subject)) shredded += 1;
    await tx.query(`UPDATE ${this.s}.profiles SET status = 'erased', merged_into = NULL, updated_at = now() WHERE id = ANY($1::uuid[])`, [lineage]);
    // Blind indexes are pseudonymous personal data too: none of the person's stays behind. Other
    // profiles can name them only as evidence of links made while merged with the person (then split).
    const related = await tx.query<{ id: string }>(
      `SELECT DISTINCT unnest(related_profile_ids || profile_id) AS id FROM ${this.s}.graph_log WHERE profile_id = ANY($1::uuid[]) OR related_profile_ids && $1::uuid[]`,
      [lineage],
    );
    await tx.query(`UPDATE ${this.s}.graph_log SET identifier_hash = NULL, details = details - 'via' WHERE profile_id = ANY($1::uuid[]) OR related_profile_ids && $1::uuid[]`, [lineage]);
    await tx.query(
      `UPDATE ${this.s}.identifiers SET linked_via = ARRAY(SELECT v FROM unnest(linked_via) AS v WHERE v <> ALL($2::text[]))
       WHERE profile_id = ANY($1::uuid[]) AND linked_via && $2::text[]`,
      [related.map((r) => r.id).filter((id) => !lineage.includes(id)), removed.map((r) => r.ref)],
    );
    const [{ seq }] = await tx.query<{ seq: string }>(`SELECT nextval('${this.s}.graph_seq')::text AS seq`);
    await tx.query(
      `INSERT INTO ${this.s}.graph_log (seq, kind, profile_id, related_profile_ids, rule, details, occurred_at) VALUES ($1::bigint, 'ProfileErased', $2, $3::uuid[], 'erasure', $4::jsonb, now())`,
      [seq, holder.id, lineage.filter((id) => id !== holder.id), JSON.stringify({ identifiers: removed.length, dataKeysShredded: shredded })],
    );
    return { found: true, profiles: lineage.length, identifiers: removed.length, dataKeysShredded: shredded };
  }
}
