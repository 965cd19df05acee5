import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ImportError } from './import.error';

/** An upload as the import service needs it: the mapping document, the file as a stream, what the client said of it. */
export interface ImportUpload {
  mapping: string;
  fileId: string | null;
  fileName: string | null;
  /** Content-Length of a raw body; unknown for multipart (the length includes the other parts) and gzip. */
  bytesTotal: number | null;
  file: Readable;
}

const RAW_TYPES = ['text/csv', 'text/plain', 'application/x-ndjson', 'application/ndjson', 'application/jsonl', 'text/tab-separated-values', 'application/octet-stream'];
const MAX_MAPPING_BYTES = 64 * 1024;
const MAX_FILE_ID_LENGTH = 200;

/**
 * Opens the file of POST /v1/imports without reading it: a raw body (mapping as base64 JSON in the
 * `mapping` query parameter or the X-Import-Mapping header) or multipart/form-data whose `mapping`
 * field comes BEFORE its `file` part (the file is never buffered, so a mapping after it would be too late).
 */
export function openUpload(request: IncomingMessage): Promise<ImportUpload> {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  if (contentType === 'multipart/form-data') return openMultipart(request, query);
  if (!RAW_TYPES.includes(contentType)) {
    throw new ImportError('UNSUPPORTED_MEDIA_TYPE', `Send multipart/form-data or a raw ${RAW_TYPES.join(', ')} body, not "${contentType || 'none'}"`, 415);
  }
  const mappingText = query.get('mapping') ?? header(request, 'x-import-mapping');
  if (!mappingText) throw new ImportError('MAPPING_MISSING', 'Send the mapping as base64 JSON in the "mapping" query parameter or the X-Import-Mapping header', 400, { field: 'mapping' });
  const encoding = (header(request, 'content-encoding') ?? 'identity').toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') throw new ImportError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding "${encoding}" is not supported; use gzip or none`, 415);
  const length = Number(request.headers['content-length']);
  const file = encoding === 'gzip' ? request.pipe(createGunzip()) : request;
  if (file !== request) request.once('error', (error) => file.destroy(error));
  return Promise.resolve({
    mapping: decodeMapping(mappingText),
    fileId: fileIdOf(query.get('fileId') ?? header(request, 'x-import-file-id')),
    fileName: query.get('fileName') ?? header(request, 'x-import-file-name') ?? null,
    bytesTotal: encoding === 'identity' && Number.isSafeInteger(length) ? length : null,
    file,
  });
}

function openMultipart(request: IncomingMessage, query: URLSearchParams): Promise<ImportUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { fieldSize: MAX_MAPPING_BYTES, files: 1 } });
    } catch (error) {
      reject(new ImportError('MALFORMED_FILE', `The multipart body cannot be read: ${(error as Error).message}`, 400, { cause: error }));
      return;
    }
    let mapping: string | null = null;
    let fileId = query.get('fileId') ?? header(request, 'x-import-file-id');
    let settled = false;
    const fail = (error: ImportError) => {
      if (settled) return;
      settled = true;
      reject(error);
      // Drain the rest so the answer can go out on this connection.
      request.unpipe(parser);
      request.resume();
    };
    parser.on('field', (name, value) => {
      if (name === 'mapping') mapping = value;
      if (name === 'fileId') fileId = value;
    });
    parser.on('file', (name, stream, info) => {
      if (settled || name !== 'file') {
        stream.resume();
        return;
      }
      if (mapping === null) {
        stream.resume();
        fail(new ImportError('MAPPING_MISSING', 'Send the "mapping" part before the "file" part', 400, { field: 'mapping' }));
        return;
      }
      settled = true;
      // busboy reports a truncated or aborted body on its own stream, not on the file's: forward it.
      const file = new PassThrough();
      stream.pipe(file);
      parser.once('error', (error) => file.destroy(error as Error));
      request.once('aborted', () => file.destroy(new Error('the upload was aborted')));
      try {
        resolve({ mapping, fileId: fileIdOf(fileId), fileName: info.filename ?? null, bytesTotal: null, file });
      } catch (error) {
        reject(error);
      }
    });
    parser.once('error', (error) => fail(new ImportError('MALFORMED_FILE', `The multipart body cannot be read: ${(error as Error).message}`, 400, { cause: error })));
    parser.once('close', () => fail(new ImportError('FILE_MISSING', 'The multipart body has no "file" part', 400, { field: 'file' })));
    request.pipe(parser);
  });
}

function decodeMapping(text: string): string {
  const trimmed = text.trim();
  // Plain JSON is accepted too (curl users); base64 keeps it header-safe.
  if (trimmed.startsWith('{')) return trimmed;
  return Buffer.from(trimmed, 'base64').toString('utf8');
}

function fileIdOf(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  if (value.length > MAX_FILE_ID_LENGTH) throw new ImportError('INVALID_MAPPING', `fileId is longer than ${MAX_FILE_ID_LENGTH} characters`, 400, { field: 'fileId' });
  return value.trim();
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}
