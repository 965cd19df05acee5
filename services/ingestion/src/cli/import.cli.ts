#!/usr/bin/env node
/**
 * cdp import FILE --source-key KEY --mapping mapping.json [--url http://127.0.0.1:4001] [--file-id ID]
 *
 * Streams a CSV or NDJSON file to POST /v1/imports with a progress bar and prints the job summary.
 * The file's SHA-256 (read once from disk before the upload) is sent as its file id unless --file-id
 * is given, so uploading the same file again adds nothing. Exit code 0 only for a completed job.
 */
import { SingleBar, Presets } from 'cli-progress';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const USAGE = 'usage: cdp import FILE --source-key KEY --mapping mapping.json [--url http://127.0.0.1:4001] [--file-id ID] [--quiet]';

interface JobSummary {
  id: string;
  status: string;
  rows: { read: number; accepted: number; rejected: number; duplicates: number };
  progress: { bytesRead: number };
  contentSha256: string | null;
  error: string | null;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'source-key': { type: 'string' },
        mapping: { type: 'string' },
        url: { type: 'string', default: 'http://127.0.0.1:4001' },
        'file-id': { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  // Accept both `import.cli.js FILE` and `cdp import FILE`.
  const args = positionals[0] === 'import' ? positionals.slice(1) : positionals;
  const file = args[0];
  const sourceKey = values['source-key'];
  if (!file || !sourceKey || !values.mapping) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }

  const mappingText = readFileSync(values.mapping, 'utf8');
  let format: unknown;
  try {
    format = (JSON.parse(mappingText) as { format?: unknown }).format;
  } catch (error) {
    process.stderr.write(`${values.mapping} is not valid JSON: ${(error as Error).message}\n`);
    return 2;
  }
  const size = statSync(file).size;
  const fileId = values['file-id'] ?? `sha256:${await sha256Of(file)}`;
  const url = new URL('/v1/imports', values.url);

  const bar = values.quiet ? null : new SingleBar({ format: 'uploading |{bar}| {percentage}% {value}/{total} bytes', stream: process.stderr }, Presets.shades_classic);
  bar?.start(size, 0);
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      bar?.update(sent);
      callback(null, chunk);
    },
  });

  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const req = send(url, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${sourceKey}:`).toString('base64')}`,
      'content-type': format === 'ndjson' ? 'application/x-ndjson' : 'text/csv',
      'content-length': String(size),
      'x-import-mapping': Buffer.from(mappingText, 'utf8').toString('base64'),
      'x-import-file-id': fileId,
      'x-import-file-name': encodeURIComponent(basename(file)),
    },
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  try {
    // The server may answer (401, 400) before the body is sent; its answer then explains the broken upload.
    const uploadError = await pipeline(createReadStream(file), counter, req).then(
      () => null,
      (error: unknown) => error as Error,
    );
    const response = await Promise.race([answered, ...(uploadError ? [Promise.reject(uploadError)] : [])]).catch(async (error: unknown) => {
      const early = await Promise.race([answered, delay(1_000).then(() => null)]).catch(() => null);
      if (early) return early;
      throw error;
    });
    const body = await readBody(response);
    bar?.stop();
    if (response.statusCode !== 200) {
      process.stderr.write(`import refused (${response.statusCode}): ${body}\n`);
      return 1;
    }
    const job = JSON.parse(body) as JobSummary;
    process.stdout.write(summary(job));
    return job.status === 'completed' ? 0 : 1;
  } catch (error) {
    bar?.stop();
    process.stderr.write(`import failed: ${(error as Error).message}\n`);
    return 1;
  }
}

function summary(job: JobSummary): string {
  return [
    `import ${job.id}: ${job.status}`,
    `  rows read:       ${job.rows.read}`,
    `  accepted:        ${job.rows.accepted}`,
    `  duplicates:      ${job.rows.duplicates}`,
    `  rejected:        ${job.rows.rejected}${job.rows.rejected > 0 ? ` (report: GET /v1/imports/${job.id}/rejections)` : ''}`,
    `  bytes:           ${job.progress.bytesRead}`,
    ...(job.error ? [`  error:           ${job.error}`] : []),
    '',
  ].join('\n');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function readBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

void main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`import failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
