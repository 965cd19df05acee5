import { Injectable, Logger, StreamableFile } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { TOPICS } from '@cdp/contracts';
import { buildDeadLetter, DEAD_LETTER_SCHEMA, type EncodedRecord } from '@cdp/kafka';
import { EventPublisher } from '../application/event-publisher';
import { IngestionError } from '../application/ingestion.error';
import { IngestionMetrics } from '../application/ingestion.metrics';
import { writeKeyOf } from '../application/secrets';
import { SourcesService, type AuthenticatedSource } from '../application/sources.service';
import { deterministicMessageId, normalizeSegmentEvent, partitionKeyOf } from '../domain';
import { IngestProducer } from '../kafka/ingest-producer';
import { parseImportMapping, rowToSegmentCall, type ImportMapping } from './import-mapping';
import { ImportJobsRepository, type ImportJobView, type StoredRejection } from './import-jobs.repository';
import { ImportError } from './import.error';
import { openUpload } from './import-upload';
import { rejectionsCsv, rejectionsNdjson } from './rejections-report';
import { readRows, type ReadRow } from './row-reader';

/** Rows per dedupe round trip and producer send: large enough to amortise both, small enough for one Kafka request. */
export const IMPORT_CHUNK_ROWS = 2_000;
/** Rejected rows kept per job for the report; all of them are counted and dead-lettered. */
export const MAX_STORED_REJECTIONS = 10_000;
/** Raw lines are cut in the stored report (the dead letter keeps them whole). */
const MAX_STORED_RAW = 4_096;
const INGESTION_PRODUCER = 'ingestion';

type Refusal = { line: number; raw: string; code: string; field: string | null; message: string };
type PreparedChunk = { receivedAt: number; read: number; bytesRead: number; events: EncodedRecord[]; deadLetters: EncodedRecord[]; refused: Refusal[] };

/**
 * File imports: the upload streams through a SHA-256 and byte counter into the row reader; rows are
 * mapped to Segment calls, normalised by the same domain code as the online API, and every chunk goes
 * through the online path's dedupe-and-produce (EventPublisher), so a re-uploaded file adds nothing.
 * The request is answered when the file is done (synchronous first increment); the job row is
 * updated per chunk, so GET /v1/imports/:id shows progress meanwhile.
 */
@Injectable()
export class ImportsService {
  private readonly logger = new Logger('Imports');

  constructor(
    private readonly sources: SourcesService,
    private readonly publisher: EventPublisher,
    private readonly producer: IngestProducer,
    private readonly metrics: IngestionMetrics,
    private readonly jobs: ImportJobsRepository,
  ) {}

  async import(request: IncomingMessage): Promise<ImportJobView> {
    const source = await this.sources.authenticate(writeKeyOf(request.headers.authorization, undefined));
    const upload = await openUpload(request);
    const mapping = this.mappingOf(upload.mapping);
    if (upload.fileId === null && mapping.rowId === null) {
      upload.file.resume();
      throw new ImportError('INVALID_MAPPING', 'Without a fileId, rowId must name the columns that identify a row (messageIds must not depend on line numbers of an unknown file)', 400, { field: 'rowId' });
    }
    // Fail fast (503) before a job exists while Kafka is away.
    await this.producer.ready();

    const jobId = randomUUID();
    await this.jobs.create({ id: jobId, sourceId: source.context.sourceId, format: mapping.format, fileId: upload.fileId, fileName: upload.fileName, bytesTotal: upload.bytesTotal, startedAt: new Date() });
    const meter = new MeteredStream();
    upload.file.once('error', (error) => meter.destroy(error));
    upload.file.pipe(meter);
    const fileKey = upload.fileId ?? '';
    let stored = 0;
    // One chunk is published while the next is read and normalised; never more, so memory stays bounded
    // and chunks reach Kafka in file order.
    let publishing: Promise<number> | null = null;
    const hand = async (chunk: ReadRow[]) => {
      const prepared = await this.prepareChunk(jobId, source, mapping, fileKey, chunk, meter.bytes);
      if (publishing) stored = await publishing;
      publishing = this.publishChunk(jobId, source, prepared, stored);
      // Awaited before the next chunk or at the end; this only keeps a failure from counting as unhandled meanwhile.
      publishing.catch(() => undefined);
    };
    try {
      let chunk: ReadRow[] = [];
      for await (const row of readRows(meter, mapping)) {
        chunk.push(row);
        if (chunk.length < IMPORT_CHUNK_ROWS) continue;
        await hand(chunk);
        chunk = [];
      }
      if (chunk.length > 0) await hand(chunk);
      if (publishing) stored = await publishing;
      await this.jobs.finish(jobId, { status: 'completed', bytesRead: meter.bytes, contentSha256: meter.sha256(), error: null, finishedAt: new Date() });
    } catch (error) {
      upload.file.resume();
      this.logger.warn({ err: error, jobId }, 'import failed');
      await this.jobs
        .finish(jobId, { status: 'failed', bytesRead: meter.bytes, contentSha256: null, error: (error as Error).message, finishedAt: new Date() })
        .catch((cause: unknown) => this.logger.error({ err: cause, jobId }, 'the failed import could not be recorded'));
      throw error;
    }
    return this.found(await this.jobs.byId(jobId), jobId);
  }

  async status(authorization: string | undefined, jobId: string): Promise<ImportJobView> {
    const source = await this.sources.authenticate(writeKeyOf(authorization, undefined));
    return this.owned(source, jobId);
  }

  /** The stored rejected rows as CSV (default) or NDJSON. */
  async rejections(authorization: string | undefined, jobId: string, format: string | undefined): Promise<StreamableFile> {
    const source = await this.sources.authenticate(writeKeyOf(authorization, undefined));
    await this.owned(source, jobId);
    const rows = await this.jobs.rejectionsOf(jobId);
    if (format === 'ndjson') return new StreamableFile(Buffer.from(rejectionsNdjson(rows)), { type: 'application/x-ndjson; charset=utf-8' });
    return new StreamableFile(Buffer.from(rejectionsCsv(rows)), { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="import-${jobId}-rejections.csv"` });
  }

  private mappingOf(text: string): ImportMapping {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ImportError('INVALID_MAPPING', `The mapping is not valid JSON: ${(error as Error).message}`, 400, { field: 'mapping' });
    }
    const parsed = parseImportMapping(raw);
    if (!parsed.ok) throw new ImportError('INVALID_MAPPING', `${parsed.problem.field}: ${parsed.problem.message}`, 400, { field: parsed.problem.field });
    return parsed.mapping;
  }

  /** Maps, normalises and encodes every row of a chunk; rejected rows become dead letters. */
  private async prepareChunk(jobId: string, source: AuthenticatedSource, mapping: ImportMapping, fileKey: string, rows: ReadRow[], bytesRead: number): Promise<PreparedChunk> {
    const receivedAt = Date.now();
    const { sourceId } = source.context;
    const events: EncodedRecord[] = [];
    const refused: Refusal[] = [];
    await this.producer.prepare();
    for (const row of rows) {
      if ('malformed' in row) {
        refused.push({ line: row.line, raw: row.raw, code: 'MALFORMED_ROW', field: null, message: row.malformed });
        continue;
      }
      const mapped = rowToSegmentCall(row, mapping);
      if (!mapped.ok) {
        refused.push({ line: row.line, raw: row.raw, ...mapped.rejection });
        continue;
      }
      mapped.call.messageId = deterministicMessageId([sourceId, fileKey, mapped.rowKey]);
      const normalized = normalizeSegmentEvent(mapped.call, undefined, source.context, { receivedAt, newMessageId: randomUUID });
      if (!normalized.ok) {
        refused.push({ line: row.line, raw: row.raw, ...normalized.rejection });
        continue;
      }
      const event = normalized.event;
      try {
        events.push(this.producer.encodePrepared({ topic: TOPICS.ingestEvents, key: partitionKeyOf(event), schema: TOPICS.ingestEvents.valueSchema, value: event, eventId: event.messageId }));
      } catch (error) {
        // The normaliser promises contract-valid events; should one slip through it is dead-lettered, not lost.
        refused.push({ line: row.line, raw: row.raw, code: 'CONTRACT_VIOLATION', field: null, message: (error as Error).message });
      }
    }
    const deadLetters = refused.map((r) => this.deadLetter(sourceId, jobId, r, receivedAt));
    return { receivedAt, read: rows.length, bytesRead, events, deadLetters, refused };
  }

  /** One dedupe round trip and one producer send (EventPublisher), then one job update; returns the rejections stored so far. */
  private async publishChunk(jobId: string, source: AuthenticatedSource, chunk: PreparedChunk, stored: number): Promise<number> {
    const { sourceId } = source.context;
    const { receivedAt, events, deadLetters, refused, bytesRead } = chunk;
    const outcome = await this.publisher.publish(sourceId, receivedAt, events, deadLetters);
    const toStore = refused.slice(0, Math.max(0, MAX_STORED_REJECTIONS - stored)).map(
      (r): StoredRejection => ({ line: r.line, code: r.code, field: r.field, message: r.message, raw: r.raw.slice(0, MAX_STORED_RAW) }),
    );
    await this.jobs.recordChunk(jobId, { read: chunk.read, accepted: outcome.produced, rejected: refused.length, duplicates: outcome.duplicates, bytesRead }, toStore);
    this.metrics.count(sourceId, 'accepted', outcome.produced);
    this.metrics.count(sourceId, 'deduplicated', outcome.duplicates);
    for (const r of refused) this.metrics.count(sourceId, 'rejected', 1, r.code);
    return stored + toStore.length;
  }

  private deadLetter(sourceId: string, jobId: string, refusal: Refusal, receivedAt: number): EncodedRecord {
    const built = buildDeadLetter({
      reason: refusal.code,
      message: `import ${jobId} line ${refusal.line}: ${refusal.field ? `${refusal.field}: ` : ''}${refusal.message}`,
      value: Buffer.from(refusal.raw, 'utf8'),
      sourceId,
      attempts: 1,
      producer: INGESTION_PRODUCER,
      occurredAt: receivedAt,
      headers: { 'import-job-id': jobId, 'import-line': String(refusal.line) },
    });
    // Identical rejected lines (two empty-ish rows) are still separate dead letters.
    const record = { ...built, id: randomUUID() };
    return this.producer.encodePrepared({ topic: TOPICS.ingestDeadLetter, key: record.id, schema: DEAD_LETTER_SCHEMA, value: record, eventId: record.id });
  }

  private async owned(source: AuthenticatedSource, jobId: string): Promise<ImportJobView> {
    const job = UUID.test(jobId) ? await this.jobs.byId(jobId) : null;
    // Another source's job is answered as missing: job ids are not a way to probe other sources.
    if (!job || job.sourceId !== source.context.sourceId) throw new ImportError('IMPORT_NOT_FOUND', `No import ${jobId} for this source`, 404);
    return job;
  }

  private found(job: ImportJobView | null, jobId: string): ImportJobView {
    if (!job) throw IngestionError.unavailable('DATABASE_UNAVAILABLE', `import ${jobId} was not recorded`, null);
    return job;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Counts and hashes the bytes passing through: the job's progress and the file's content hash. */
class MeteredStream extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    callback(null, chunk);
  }

  sha256(): string {
    return this.hash.digest('hex');
  }
}
