import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { IngestionConfig } from '../config';

const PRUNE_CHUNK = 10_000;

/** messageIds seen recently, shared by every ingestion instance (Postgres, not process memory). */
@Injectable()
export class ReceivedMessagesRepository {
  private readonly table: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) config: IngestionConfig,
  ) {
    this.table = `"${config.database.schema}".received_messages`;
  }

  /**
   * Records the ids in one statement and returns those not seen before. Rows are inserted in id
   * order so that two requests sharing ids lock them in the same order (no deadlock); a request
   * holding an id it has not committed yet makes the other wait for its outcome.
   */
  async claim(manager: EntityManager, sourceId: string, messageIds: readonly string[], receivedAt: Date): Promise<Set<string>> {
    const rows = (await manager.query(
      `INSERT INTO ${this.table} (message_id, source_id, received_at)
       SELECT id, $2, $3 FROM unnest($1::text[]) AS id ORDER BY id
       ON CONFLICT (message_id) DO NOTHING
       RETURNING message_id`,
      [messageIds, sourceId, receivedAt],
    )) as Array<{ message_id: string }>;
    return new Set(rows.map((row) => row.message_id));
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
