import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { IngestionConfig } from '../config';

export type ImportStatus = 'running' | 'completed' | 'failed';

/** A job as the API shows it. */
export interface ImportJobView {
  id: string;
  sourceId: string;
  status: ImportStatus;
  format: string;
  fileId: string | null;
  fileName: string | null;
  contentSha256: string | null;
  rows: { read: number; accepted: number; rejected: number; duplicates: number };
  progress: { bytesRead: number; bytesTotal: number | null };
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export interface StoredRejection {
  line: number;
  code: string;
  field: string | null;
  message: string;
  raw: string;
}

export interface ChunkCounts {
  read: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  bytesRead: number;
}

type JobRow = {
  id: string;
  source_id: string;
  status: ImportStatus;
  format: string;
  file_id: string | null;
  file_name: string | null;
  content_sha256: string | null;
  rows_read: string;
  rows_accepted: string;
  rows_rejected: string;
  rows_duplicate: string;
  bytes_read: string;
  bytes_total: string | null;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
};

/** import_jobs and import_rejections: one statement per chunk of rows, whatever the chunk holds. */
@Injectable()
export class ImportJobsRepository {
  private readonly jobs: string;
  private readonly rejections: string;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) config: IngestionConfig,
  ) {
    this.jobs = `"${config.database.schema}".import_jobs`;
    this.rejections = `"${config.database.schema}".import_rejections`;
  }

  async create(job: { id: string; sourceId: string; format: string; fileId: string | null; fileName: string | null; bytesTotal: number | null; startedAt: Date }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.jobs} (id, source_id, status, format, file_id, file_name, bytes_total, started_at) VALUES ($1, $2, 'running', $3, $4, $5, $6, $7)`,
      [job.id, job.sourceId, job.format, job.fileId, job.fileName, job.bytesTotal, job.startedAt],
    );
  }

  /** Adds a chunk's counts and stores its rejections, in one statement. */
  async recordChunk(jobId: string, counts: ChunkCounts, rejections: readonly StoredRejection[]): Promise<void> {
    await this.dataSource.query(
      `WITH stored AS (
         INSERT INTO ${this.rejections} (job_id, line, code, field, message, raw)
         SELECT $1, * FROM unnest($7::bigint[], $8::text[], $9::text[], $10::text[], $11::text[])
         ON CONFLICT DO NOTHING
       )
       UPDATE ${this.jobs} SET rows_read = rows_read + $2, rows_accepted = rows_accepted + $3, rows_rejected = rows_rejected + $4,
         rows_duplicate = rows_duplicate + $5, bytes_read = $6
       WHERE id = $1`,
      [
        jobId,
        counts.read,
        counts.accepted,
        counts.rejected,
        counts.duplicates,
        counts.bytesRead,
        rejections.map((r) => r.line),
        rejections.map((r) => r.code),
        rejections.map((r) => r.field),
        rejections.map((r) => r.message),
        rejections.map((r) => r.raw),
      ],
    );
  }

  async finish(jobId: string, outcome: { status: 'completed' | 'failed'; bytesRead: number; contentSha256: string | null; error: string | null; finishedAt: Date }): Promise<void> {
    await this.dataSource.query(`UPDATE ${this.jobs} SET status = $2, bytes_read = $3, content_sha256 = $4, error = $5, finished_at = $6 WHERE id = $1`, [
      jobId,
      outcome.status,
      outcome.bytesRead,
      outcome.contentSha256,
      outcome.error,
      outcome.finishedAt,
    ]);
  }

  async byId(jobId: string): Promise<ImportJobView | null> {
    const rows = (await this.dataSource.query(`SELECT * FROM ${this.jobs} WHERE id = $1`, [jobId])) as JobRow[];
    return rows[0] ? toView(rows[0]) : null;
  }

  async rejectionsOf(jobId: string): Promise<StoredRejection[]> {
    const rows = (await this.dataSource.query(`SELECT line, code, field, message, raw FROM ${this.rejections} WHERE job_id = $1 ORDER BY line`, [jobId])) as Array<
      Omit<StoredRejection, 'line'> & { line: string }
    >;
    return rows.map((r) => ({ ...r, line: Number(r.line) }));
  }
}

function toView(row: JobRow): ImportJobView {
  return {
    id: row.id,
    sourceId: row.source_id,
    status: row.status,
    format: row.format,
    fileId: row.file_id,
    fileName: row.file_name,
    contentSha256: row.content_sha256,
    rows: { read: Number(row.rows_read), accepted: Number(row.rows_accepted), rejected: Number(row.rows_rejected), duplicates: Number(row.rows_duplicate) },
    progress: { bytesRead: Number(row.bytes_read), bytesTotal: row.bytes_total === null ? null : Number(row.bytes_total) },
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    error: row.error,
  };
}
