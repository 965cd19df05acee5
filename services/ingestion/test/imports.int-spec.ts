import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { TOPICS, type DeadLetter, type IngestedEvent } from '@cdp/contracts';
import type { ImportJobView } from '../src/imports/import-jobs.repository';
import { basicAuth, SETUP_TIMEOUT_MS, startIngestion, TopicReader, type IngestionHarness } from './support/ingestion-harness';

const REPO_ROOT = resolve(__dirname, '../../..');
const CDNOW_FILE = resolve(REPO_ROOT, '../shared/datasets/cdnow_master.txt');
const CDNOW_MAPPING = resolve(REPO_ROOT, 'services/ingestion/imports/cdnow-pos-receipts.mapping.json');
const CDNOW_ROWS = 69_659;
const run = promisify(execFile);

function rawImport(url: string, writeKey: string, body: string | Buffer, mapping: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/imports`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(writeKey),
      'content-type': 'text/csv',
      'x-import-mapping': Buffer.from(typeof mapping === 'string' ? mapping : JSON.stringify(mapping)).toString('base64'),
      ...headers,
    },
    body,
  });
}

function multipartImport(url: string, writeKey: string, file: string, mapping: unknown, fileId?: string): Promise<Response> {
  const form = new FormData();
  form.append('mapping', JSON.stringify(mapping));
  if (fileId) form.append('fileId', fileId);
  form.append('file', new Blob([file], { type: 'text/csv' }), 'receipts.csv');
  return fetch(`${url}/v1/imports`, { method: 'POST', headers: { authorization: basicAuth(writeKey) }, body: form });
}

describe('ingestion file imports (POST /v1/imports)', () => {
  let h: IngestionHarness;
  let events: TopicReader<IngestedEvent>;
  let deadLetters: TopicReader<DeadLetter>;
  let pos: { id: string; writeKey: string };

  const topicSize = async (topic: string): Promise<number> => {
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    h = await startIngestion('imports');
    events = await TopicReader.start(h.kafka, h.topic(TOPICS.ingestEvents), h.serde);
    deadLetters = await TopicReader.start(h.kafka, h.topic(TOPICS.ingestDeadLetter), h.serde);
    pos = await h.createSource({ channel: 'pos', storeId: 'store-1' });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await events?.stop();
    await deadLetters?.stop();
    await h?.close();
  }, SETUP_TIMEOUT_MS);

  it('imports the CDNOW file as 69,659 Order Completed POS receipts, and a second upload adds none', async () => {
    const mapping = (await import(CDNOW_MAPPING)) as { default: unknown };
    const topic = h.topic(TOPICS.ingestEvents);
    const before = await topicSize(topic);
    const { createReadStream, statSync } = await import('node:fs');
    const upload = () =>
      fetch(`${h.url}/v1/imports`, {
        method: 'POST',
        headers: { authorization: basicAuth(pos.writeKey), 'content-type': 'text/plain', 'content-length': String(statSync(CDNOW_FILE).size), 'x-import-mapping': Buffer.from(JSON.stringify(mapping.default)).toString('base64') },
        body: createReadStream(CDNOW_FILE) as unknown as RequestInit['body'],
        duplex: 'half',
      } as RequestInit);

    const started = Date.now();
    const first = await upload();
    const seconds = (Date.now() - started) / 1000;
    expect(first.status).toBe(200);
    const job = (await first.json()) as ImportJobView;
    process.stdout.write(`CDNOW import: ${CDNOW_ROWS} rows in ${seconds.toFixed(1)} s = ${Math.round(CDNOW_ROWS / seconds)} rows/s\n`);
    expect(job).toMatchObject({ status: 'completed', rows: { read: CDNOW_ROWS, accepted: CDNOW_ROWS, rejected: 0, duplicates: 0 } });
    expect(job.progress.bytesRead).toBe(statSync(CDNOW_FILE).size);
    expect(job.progress.bytesTotal).toBe(statSync(CDNOW_FILE).size);
    expect(job.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await topicSize(topic)).toBe(before + CDNOW_ROWS);

    // The file's first receipt: customer 00001, 1997-01-01, 1 CD, $11.77.
    const [sample] = await events.waitFor((e) => e.userId === '00001' && e.sourceId === pos.id, 1, 60_000);
    expect(sample!.key).toBe('00001');
    expect(sample!.value).toMatchObject({ type: 'track', event: 'Order Completed', channel: 'pos', timestamp: Date.UTC(1997, 0, 1) });
    expect(sample!.value.commerce).toMatchObject({ orderId: '00001-19970101-2', revenue: 11.77, currency: 'USD', storeId: 'store-1' });
    expect(JSON.parse(sample!.value.properties)).toMatchObject({ quantity: 1 });
    const all = await events.waitFor((e) => e.sourceId === pos.id && e.event === 'Order Completed', CDNOW_ROWS, 120_000);
    expect(new Set(all.map((r) => r.value.messageId)).size).toBe(CDNOW_ROWS);

    const second = await upload();
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ status: 'completed', rows: { read: CDNOW_ROWS, accepted: 0, rejected: 0, duplicates: CDNOW_ROWS } });
    expect(await topicSize(topic)).toBe(before + CDNOW_ROWS);
  });

  const receipts = {
    format: 'csv',
    csv: { delimiter: ',', header: true },
    call: 'track',
    event: 'Order Completed',
    fields: {
      userId: 'member',
      timestamp: { column: 'date', format: 'yyyy-MM-dd' },
      'properties.order_id': 'receipt',
      'properties.revenue': { column: 'total', type: 'number' },
      'properties.currency': 'currency',
    },
    rowId: ['receipt'],
  };

  it('rejects bad rows with line numbers and reasons (report and dead-letter topic) and keeps the rest; multipart body', async () => {
    const member = `m-${randomUUID()}`;
    const csv = [
      'member,date,receipt,total,currency',
      `${member},2024-03-01,r-1-${member},10.50,CNY`,
      `${member},2024-03-02,r-2-${member},ten,CNY`,
      `${member},2024-13-40,r-3-${member},5,CNY`,
      `${member},2024-03-04,r-4-${member}`,
      `${member},2024-03-05,"r-5-${member}",7,ZZZ`,
      `${member},2024-03-06,r-6-${member},8,usd`,
    ].join('\n');
    const res = await multipartImport(h.url, pos.writeKey, csv, receipts);
    expect(res.status).toBe(200);
    const job = (await res.json()) as ImportJobView;
    expect(job).toMatchObject({ status: 'completed', fileName: 'receipts.csv', rows: { read: 6, accepted: 2, rejected: 4, duplicates: 0 } });

    const accepted = await events.waitFor((e) => e.userId === member, 2);
    expect(accepted.map((r) => r.value.commerce?.orderId).sort()).toEqual([`r-1-${member}`, `r-6-${member}`]);
    expect(accepted.find((r) => r.value.commerce?.orderId === `r-6-${member}`)!.value.commerce).toMatchObject({ currency: 'USD', revenue: 8 });

    const report = await fetch(`${h.url}/v1/imports/${job.id}/rejections`, { headers: { authorization: basicAuth(pos.writeKey) } });
    expect(report.status).toBe(200);
    expect(report.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await report.text()).trim().split('\r\n');
    expect(lines[0]).toBe('line,reason,field,message,raw');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['3,"INVALID_FIELD","total"', '4,"INVALID_TIMESTAMP","timestamp"', '5,"MALFORMED_ROW",', '6,"INVALID_CURRENCY","properties.currency"']);
    expect(lines[1]).toContain(`"${member},2024-03-02,r-2-${member},ten,CNY"`);

    const ndjson = await fetch(`${h.url}/v1/imports/${job.id}/rejections?format=ndjson`, { headers: { authorization: basicAuth(pos.writeKey) } });
    const first = JSON.parse((await ndjson.text()).split('\n')[0]!) as { line: number; reason: string; field: string; message: string };
    expect(first).toMatchObject({ line: 3, reason: 'INVALID_FIELD', field: 'total' });
    expect(first.message).toContain('"ten" is not a number');

    const dead = await deadLetters.waitFor((d) => d.data.message.startsWith(`import ${job.id} `), 4);
    expect(dead.map((d) => d.value.data.reason).sort()).toEqual(['INVALID_CURRENCY', 'INVALID_FIELD', 'INVALID_TIMESTAMP', 'MALFORMED_ROW']);
    const malformed = dead.find((d) => d.value.data.reason === 'MALFORMED_ROW')!.value;
    expect(malformed.data.message).toContain('line 5');
    expect(Buffer.from(malformed.data.originalValue).toString('utf8')).toBe(`${member},2024-03-04,r-4-${member}`);
    expect(malformed.data.sourceId).toBe(pos.id);

    const status = await fetch(`${h.url}/v1/imports/${job.id}`, { headers: { authorization: basicAuth(pos.writeKey) } });
    expect(await status.json()).toEqual(job);
    const stranger = await h.createSource({ channel: 'pos' });
    const hidden = await fetch(`${h.url}/v1/imports/${job.id}`, { headers: { authorization: basicAuth(stranger.writeKey) } });
    expect(hidden.status).toBe(404);
  });

  it('imports NDJSON member lists as identify calls from a raw body, deduplicating on the client file id', async () => {
    const email = `${randomUUID()}@example.com`;
    const member = `m-${randomUUID()}`;
    const ndjson = [JSON.stringify({ id: member, email: `  ${email.toUpperCase()} `, name: ' Ada ', joined: 1_700_000_000 }), '{"id": "broken', JSON.stringify({ id: `${member}-2`, email: 'x@example.com', joined: 1_700_000_100 })].join('\n') + '\n';
    const mapping = {
      format: 'ndjson',
      call: 'identify',
      fields: { userId: 'id', 'traits.email': 'email', 'traits.name': 'name', timestamp: { column: 'joined', format: 'epoch_s' } },
    };
    const fileId = `members-${randomUUID()}.ndjson`;
    const post = () => rawImport(h.url, pos.writeKey, ndjson, mapping, { 'content-type': 'application/x-ndjson', 'x-import-file-id': fileId });
    const res = await post();
    expect(res.status).toBe(200);
    const job = (await res.json()) as ImportJobView;
    expect(job).toMatchObject({ format: 'ndjson', fileId, rows: { read: 3, accepted: 2, rejected: 1 } });
    const [identify] = await events.waitFor((e) => e.userId === member);
    expect(identify!.value).toMatchObject({ type: 'identify', timestamp: 1_700_000_000_000 });
    expect(JSON.parse(identify!.value.traits)).toMatchObject({ email, name: 'Ada' });

    expect(await (await post()).json()).toMatchObject({ rows: { read: 3, accepted: 0, rejected: 1, duplicates: 2 } });
  });

  it('answers 400 naming the mapping field at fault, 401 without a write key, 415 for an unknown body type', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...receipts, csv: { delimiter: '::' } }, 'csv.delimiter'],
      [{ ...receipts, event: undefined }, 'event'],
      [{ ...receipts, fields: { ...receipts.fields, 'price.total': 'total' } }, 'fields.price.total'],
      [{ ...receipts, fields: { ...receipts.fields, timestamp: { column: 'date', format: 'dd/MM/yyyy pm' } } }, 'fields.timestamp.format'],
      [{ ...receipts, rowId: undefined }, 'rowId'],
      ['{not json', 'mapping'],
    ];
    for (const [mapping, field] of cases) {
      const res = await rawImport(h.url, pos.writeKey, 'member,date\n', mapping);
      expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status: 400, type: 'application/problem+json; charset=utf-8' });
      expect(await res.json()).toMatchObject({ code: 'INVALID_MAPPING', field });
    }
    const misordered = new FormData();
    misordered.append('file', new Blob(['a,b\n']), 'x.csv');
    misordered.append('mapping', JSON.stringify(receipts));
    const late = await fetch(`${h.url}/v1/imports`, { method: 'POST', headers: { authorization: basicAuth(pos.writeKey) }, body: misordered });
    expect(await late.json()).toMatchObject({ status: 400, code: 'MAPPING_MISSING', field: 'mapping' });

    const anonymous = await fetch(`${h.url}/v1/imports`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a\n' });
    expect(anonymous.status).toBe(401);
    const json = await rawImport(h.url, pos.writeKey, '{}', receipts, { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
  });

  it('processes rows while the upload is still streaming (progress visible), and records an aborted upload as a failed job', async () => {
    const source = await h.createSource({ channel: 'pos' });
    const member = `m-${randomUUID()}`;
    const rowsOf = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${member},2024-03-01,s-${from + i},1,EUR\n`).join('');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode(`member,date,receipt,total,currency\n${rowsOf(0, 5_000)}`));
        await held;
        controller.error(new Error('the client went away'));
      },
    });
    const abort = new AbortController();
    const upload = fetch(`${h.url}/v1/imports`, {
      method: 'POST',
      headers: { authorization: basicAuth(source.writeKey), 'content-type': 'text/csv', 'x-import-mapping': Buffer.from(JSON.stringify(receipts)).toString('base64') },
      body,
      duplex: 'half',
      signal: abort.signal,
    } as RequestInit).catch((error: unknown) => error);

    let job: { id: string; status: string; rows_read: string; bytes_read: string } | undefined;
    try {
      // The body has not ended, yet the first chunks are already on the topic and counted on the job.
      await events.waitFor((e) => e.userId === member, 4_000);
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        [job] = await h.sql<{ id: string; status: string; rows_read: string; bytes_read: string }>(`SELECT id, status, rows_read, bytes_read FROM "${h.config.database.schema}".import_jobs WHERE source_id = $1`, [source.id]);
        if (job && Number(job.rows_read) >= 4_000) break;
      }
      expect(job).toMatchObject({ status: 'running' });
      expect(Number(job!.rows_read)).toBeGreaterThanOrEqual(4_000);
      const running = await fetch(`${h.url}/v1/imports/${job!.id}`, { headers: { authorization: basicAuth(source.writeKey) } });
      expect(await running.json()).toMatchObject({ status: 'running', finishedAt: null, progress: { bytesRead: Number(job!.bytes_read), bytesTotal: null } });
    } finally {
      abort.abort();
      release();
      await upload;
    }
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      const [after] = await h.sql<{ status: string }>(`SELECT status FROM "${h.config.database.schema}".import_jobs WHERE id = $1`, [job!.id]);
      if (after?.status !== 'running') break;
    }
    const failed = (await (await fetch(`${h.url}/v1/imports/${job!.id}`, { headers: { authorization: basicAuth(source.writeKey) } })).json()) as ImportJobView;
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual(expect.any(String));
    expect(failed.finishedAt).not.toBeNull();
  });

  it('the CLI streams a file to a running app and prints the job summary; a failed import exits non-zero', async () => {
    await run('node', [join(REPO_ROOT, 'scripts/build.mjs'), join(REPO_ROOT, 'services/ingestion')]);
    const dir = mkdtempSync(join(tmpdir(), 'cdp-import-'));
    const member = `m-${randomUUID()}`;
    const file = join(dir, 'receipts.csv');
    writeFileSync(file, `member,date,receipt,total,currency\n${member},2024-03-01,cli-1-${member},3,EUR\n${member},2024-03-02,cli-2-${member},x,EUR\n`);
    const mappingFile = join(dir, 'mapping.json');
    writeFileSync(mappingFile, JSON.stringify(receipts));
    const cli = join(REPO_ROOT, 'services/ingestion/dist/cli/import.cli.js');

    const { stdout } = await run('node', [cli, file, '--source-key', pos.writeKey, '--mapping', mappingFile, '--url', h.url, '--quiet']);
    expect(stdout).toMatch(/^import [0-9a-f-]{36}: completed/);
    expect(stdout).toMatch(/rows read: +2/);
    expect(stdout).toMatch(/accepted: +1/);
    expect(stdout).toMatch(/rejected: +1 \(report: GET \/v1\/imports\/[0-9a-f-]{36}\/rejections\)/);
    await events.waitFor((e) => e.userId === member);
    const again = await run('node', [cli, file, '--source-key', pos.writeKey, '--mapping', mappingFile, '--url', h.url, '--quiet']);
    expect(again.stdout).toMatch(/duplicates: +1/);

    const failed = run('node', [cli, file, '--source-key', 'not-a-key', '--mapping', mappingFile, '--url', h.url, '--quiet']);
    await expect(failed).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('401') });
  });
});
