import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouse } from '@cdp/clickhouse';
import type { ResolvedEvent } from '@cdp/contracts';
import { CLICKHOUSE } from '../persistence/clickhouse.provider';
import { sqlStringList } from '../persistence/clickhouse-sql';
import { dateTime64, historyRows } from './history-rows';
import { aliasChanges, profilesInvolved, type AliasRow, type IdentityChange } from './profile-aliases';
import { SinkMetrics } from './sink.metrics';

interface AliasRecord {
  profile_id: string;
  canonical_profile_id: string;
  parent_profile_id: string;
  merge_id: string;
  version: string | number;
  changed_by: string;
  changed_at_ms: string | number;
}

/**
 * Writes Kafka batches into ClickHouse: one insert per batch and table. The insert happens before
 * the consumer's offsets commit, so a batch may be written twice after a crash; every table is a
 * ReplacingMergeTree keyed on what identifies a row (the event id, the product line, the profile
 * and attribute, the profile), so a second copy replaces the first instead of adding to it.
 */
@Injectable()
export class HistorySink {
  constructor(
    @Inject(CLICKHOUSE) private readonly clickhouse: ClickHouse,
    private readonly metrics: SinkMetrics,
  ) {}

  async recordEvents(events: readonly ResolvedEvent[]): Promise<void> {
    if (events.length === 0) return;
    const built = this.metrics.time('rows', 'events');
    const rows = historyRows(events);
    built();
    await this.insert('events', rows.events);
    await this.insert('order_items', rows.orderItems);
    await this.insert('profile_attributes', rows.attributes);
  }

  async recordIdentityChanges(changes: readonly IdentityChange[]): Promise<void> {
    if (changes.length === 0) return;
    const loaded = await this.aliasesAround(profilesInvolved(changes));
    const changed = aliasChanges(loaded, changes);
    await this.insert(
      'profile_aliases',
      changed.map((row) => ({
        profile_id: row.profileId,
        canonical_profile_id: row.canonicalProfileId,
        parent_profile_id: row.parentProfileId,
        merge_id: row.mergeId,
        version: row.version,
        changed_by: row.changedBy,
        changed_at: dateTime64(row.changedAt),
      })),
    );
  }

  /**
   * The current rows of the given profiles and of every profile attributed to one of them or to
   * the same canonical profile as one of them.
   */
  private async aliasesAround(ids: readonly string[]): Promise<AliasRow[]> {
    const table = `${this.clickhouse.database}.profile_aliases`;
    const list = sqlStringList(ids);
    // A session of its own: reads on the shared session would queue behind inserts.
    const records = await this.clickhouse.withSession({}, async (session) => {
      const result = await session.query({
        query: `SELECT profile_id, canonical_profile_id, parent_profile_id, merge_id, version, changed_by,
                  toUnixTimestamp64Milli(changed_at) AS changed_at_ms
                FROM ${table} FINAL
                WHERE profile_id IN ${list} OR canonical_profile_id IN ${list}
                   OR canonical_profile_id IN (SELECT canonical_profile_id FROM ${table} FINAL WHERE profile_id IN ${list})`,
        format: 'JSONEachRow',
      });
      return result.json<AliasRecord>();
    });
    return records.map((r) => ({
      profileId: r.profile_id,
      canonicalProfileId: r.canonical_profile_id,
      parentProfileId: r.parent_profile_id,
      mergeId: r.merge_id,
      version: Number(r.version),
      changedBy: r.changed_by,
      changedAt: Number(r.changed_at_ms),
    }));
  }

  /**
   * One insert of all rows, as JSONCompactEachRow: arrays in the order of the first row's keys
   * (every row of a table has the same keys), which ClickHouse parses faster than objects whose
   * keys it has to match on every row.
   */
  private async insert(table: string, values: readonly object[]): Promise<void> {
    if (values.length === 0) return;
    const inserted = this.metrics.time('insert', table);
    const columns = Object.keys(values[0]!) as [string, ...string[]];
    const rows = values.map((row) => columns.map((column) => (row as Record<string, unknown>)[column]));
    await this.clickhouse.client.insert({ table: `${this.clickhouse.database}.${table}`, values: rows, format: 'JSONCompactEachRow', columns });
    inserted();
    this.metrics.inserted(table, values.length);
  }
}
