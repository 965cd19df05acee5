import { Injectable } from '@nestjs/common';
import type { SqlExecutor } from '@cdp/kafka';
import { type Programme, validateProgramme } from '../domain';
import { LoyaltyError } from '../application/loyalty.error';

export interface ProgrammeVersion {
  id: string;
  version: number;
  active: boolean;
  programme: Programme;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface ProgrammeChange {
  version: number;
  active: boolean;
  programme: Programme;
  changedBy: string | null;
  reason: string | null;
  changedAt: Date;
}

interface Row {
  id: string;
  version: number;
  active: boolean;
  document: Programme;
  updated_at: Date;
  updated_by: string | null;
}

const toVersion = (r: Row): ProgrammeVersion => ({ id: r.id, version: r.version, active: r.active, programme: r.document, updatedAt: r.updated_at, updatedBy: r.updated_by });

/**
 * Programme documents, one row each (the version in force) and the append-only history of every
 * version. Only documents that pass validateProgramme are written. Consumers read the active
 * programmes in their batch's transaction, so a change applies from the next batch on, on every
 * instance, and a batch never mixes two versions.
 */
@Injectable()
export class ProgrammeRepository {
  private cache = new Map<string, ProgrammeVersion>();

  /** The active programmes, parsed once per version. */
  async active(tx: SqlExecutor): Promise<ProgrammeVersion[]> {
    const rows = await tx.query<{ id: string; version: number }>(`SELECT id, version FROM loyalty.programmes WHERE active ORDER BY id`);
    const stale = rows.filter((r) => this.cache.get(r.id)?.version !== r.version).map((r) => r.id);
    if (stale.length > 0) {
      const full = await tx.query<Row>(`SELECT id, version, active, document, updated_at, updated_by FROM loyalty.programmes WHERE id = ANY($1::text[])`, [stale]);
      for (const r of full) this.cache.set(r.id, toVersion(r));
    }
    return rows.map((r) => this.cache.get(r.id)).filter((p): p is ProgrammeVersion => p !== undefined);
  }

  /** The cached version of a programme, if any (commands check it is current in their first query). */
  cachedVersion(id: string): number | null {
    return this.cache.get(id)?.version ?? null;
  }

  /** The programme a command's first query returned: from the cache when the version is current, else parsed and cached. */
  fromRow(row: { id: string; programme_version: number; active: boolean; document: Programme | null; updated_at: Date; updated_by: string | null }): ProgrammeVersion {
    const cached = this.cache.get(row.id);
    if (row.document === null && cached?.version === row.programme_version) return { ...cached, active: row.active };
    if (row.document === null) throw new LoyaltyError('PROGRAMME_CORRUPT', `programme ${row.id} came without its document`, 500);
    const version = { id: row.id, version: row.programme_version, active: row.active, programme: row.document, updatedAt: row.updated_at, updatedBy: row.updated_by };
    this.cache.set(row.id, version);
    return version;
  }

  async find(tx: SqlExecutor, id: string, options: { forUpdate?: boolean } = {}): Promise<ProgrammeVersion | null> {
    const [row] = await tx.query<Row>(`SELECT id, version, active, document, updated_at, updated_by FROM loyalty.programmes WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
    return row ? toVersion(row) : null;
  }

  async get(tx: SqlExecutor, id: string, options: { forUpdate?: boolean } = {}): Promise<ProgrammeVersion> {
    const found = await this.find(tx, id, options);
    if (!found) throw new LoyaltyError('PROGRAMME_NOT_FOUND', `there is no programme ${id}`, 404);
    return found;
  }

  async list(tx: SqlExecutor): Promise<ProgrammeVersion[]> {
    return (await tx.query<Row>(`SELECT id, version, active, document, updated_at, updated_by FROM loyalty.programmes ORDER BY id`)).map(toVersion);
  }

  /** Writes a new version (1 for a new programme), after validation; the caller holds the row lock of an existing one. */
  async write(tx: SqlExecutor, programme: Programme, active: boolean, previous: ProgrammeVersion | null, change: { changedBy: string | null; reason: string | null }): Promise<ProgrammeVersion> {
    assertValid(programme);
    const version = (previous?.version ?? 0) + 1;
    const document = JSON.stringify(programme);
    if (previous) {
      await tx.query(`UPDATE loyalty.programmes SET version = $2, active = $3, document = $4::jsonb, updated_at = now(), updated_by = $5 WHERE id = $1`, [
        programme.id,
        version,
        active,
        document,
        change.changedBy,
      ]);
    } else {
      const inserted = await tx.query<{ id: string }>(
        `INSERT INTO loyalty.programmes (id, version, active, document, updated_by) VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [programme.id, version, active, document, change.changedBy],
      );
      if (inserted.length === 0) throw new LoyaltyError('PROGRAMME_EXISTS', `programme ${programme.id} exists already: change it with PUT`, 409);
    }
    await tx.query(`INSERT INTO loyalty.programme_versions (programme_id, version, active, document, changed_by, reason) VALUES ($1, $2, $3, $4::jsonb, $5, $6)`, [
      programme.id,
      version,
      active,
      document,
      change.changedBy,
      change.reason,
    ]);
    return this.get(tx, programme.id);
  }

  async history(tx: SqlExecutor, id: string, limit: number, beforeVersion?: number): Promise<ProgrammeChange[]> {
    const rows = await tx.query<{ version: number; active: boolean; document: Programme; changed_by: string | null; reason: string | null; changed_at: Date }>(
      `SELECT version, active, document, changed_by, reason, changed_at FROM loyalty.programme_versions
       WHERE programme_id = $1 AND ($2::int IS NULL OR version < $2) ORDER BY version DESC LIMIT $3`,
      [id, beforeVersion ?? null, limit],
    );
    return rows.map((r) => ({ version: r.version, active: r.active, programme: r.document, changedBy: r.changed_by, reason: r.reason, changedAt: r.changed_at }));
  }
}

/** 422 with every problem and its JSON path, as validateProgramme lists them. */
export function assertValid(programme: Programme): void {
  const problems = validateProgramme(programme);
  if (problems.length > 0) {
    throw new LoyaltyError('INVALID_PROGRAMME', `the programme has ${problems.length} problem(s): ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, 422, { problems });
  }
}
