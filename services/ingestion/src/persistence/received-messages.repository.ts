import { Inject, Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { IngestionConfig } from '../config';

const PRUNE_CHUNK = 10_000;

/** messageIds to remember, each with the source that sent it. */
export interface ClaimRequest {
  messageIds: readonly string[];
  sourceIds: readonly string[];
}

/**
 * Ids claimed in a transaction that is still open: other transactions claiming one of them wait
 * for its outcome. Exactly one of commit and rollback must be called; both release the connection.
 */
export interface OpenClaim {
  /** The ids someone had claimed before (usually none); every other id is this transaction's. */
  readonly duplicates: ReadonlySet<string>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** messageIds seen recently, shared by every ingestion instance (Postgres, not process memory). */
@Injectable()
export class ReceivedMessagesRepository {
  private readonly table: string;
  private readonly claimStatement: { name: string; text: string };

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) config: IngestionConfig,
  ) {
    this.table = `"${config.database.schema}".received_messages`;
    // Named, so each connection parses and plans it once instead of on every request. It answers with
    // the ids that were claimed already, not the ones it inserted: those are nearly all of them, and
    // sending them back and parsing them would cost more than the insert of a row.
    this.claimStatement = {
      name: `ingestion-claim:${config.database.schema}`,
      text: `WITH inserted AS (
               INSERT INTO ${this.table} (message_id, source_id, received_at)
               SELECT id, source_id, $3 FROM unnest($1::text[], $2::uuid[]) AS claim(id, source_id) ORDER BY id
               ON CONFLICT (message_id) DO NOTHING
               RETURNING message_id
             )
             SELECT id AS message_id FROM unnest($1::text[]) AS claim(id)
             WHERE NOT EXISTS (SELECT 1 FROM inserted WHERE inserted.message_id = claim.id)`,
    };
  }

  /**
   * Records the ids (distinct) in one statement, in a transaction left open for the caller, and
   * returns those seen before. Rows are inserted in id order so that two transactions sharing ids lock them in
   * the same order (no deadlock); one holding an id it has not committed yet makes the other wait.
   * The pg client is used directly: one claim is three round trips (BEGIN, INSERT, COMMIT) and the
   * ORM would add its own work to each.
   */
  async claim(request: ClaimRequest, receivedAt: Date): Promise<OpenClaim> {
    const runner = this.dataSource.createQueryRunner();
    let client: PoolClient;
    try {
      client = (await runner.connect()) as PoolClient;
    } catch (error) {
      await runner.release();
      throw error;
    }
    // A connection that broke is discarded by the ORM's own error listener; release only returns it.
    const release = () => runner.release();
    let open = false;
    try {
      await client.query('BEGIN');
      open = true;
      const { rows } = await client.query<{ message_id: string }>({ ...this.claimStatement, values: [request.messageIds, request.sourceIds, receivedAt] });
      const duplicates = new Set<string>();
      for (const row of rows) duplicates.add(row.message_id);
      const end = async (statement: 'COMMIT' | 'ROLLBACK') => {
        try {
          await client.query(statement);
          await release();
        } catch (error) {
          await release();
          throw error;
        }
      };
      return { duplicates, commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
    } catch (error) {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      await release();
      throw error;
    }
  }

  /** Deletes ids received before `cutoff`, in chunks so no statement holds locks for long. */
  async prune(cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const [, deleted] = (await this.dataSource.query(
        `DELETE FROM ${this.table} WHERE message_id IN (SELECT message_id FROM ${this.table} WHERE received_at < $1 LIMIT ${PRUNE_CHUNK})`,
        [cutoff],
      )) as [unknown, number];
      total += deleted;
      if (deleted < PRUNE_CHUNK) return total;
    }
  }
}
