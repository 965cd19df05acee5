import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import type { ReceivedBody } from '../api/segment-body.reader';
import { IngestionError } from './ingestion.error';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** A Segment HTTP call as the controller hands it over. */
export interface SegmentRequest {
  body: ReceivedBody | undefined;
  contentEncoding: string | undefined;
  authorization: string | undefined;
}

export interface DecodedPayload {
  /** The request body after decompression: dead letters keep (slices of) these bytes. */
  bytes: Buffer;
  value: unknown;
}

/**
 * Decompresses (gzip/deflate, as Segment's libraries send) and parses a body, enforcing `limit` on
 * the decompressed size so that a small compressed body cannot expand without bound.
 */
export async function decodePayload(request: SegmentRequest, limit: number): Promise<DecodedPayload> {
  const body = request.body;
  if (!body || body.kind === 'too-large') throw tooLarge(body?.kind === 'too-large' ? body.limit : limit);
  const bytes = await decompress(body.bytes, request.contentEncoding, limit);
  if (bytes.length > limit) throw tooLarge(limit);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new IngestionError('MALFORMED_JSON', `The body is not valid JSON: ${(error as Error).message}`, 400);
  }
  return { bytes, value };
}

async function decompress(bytes: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  const coding = (encoding ?? 'identity').trim().toLowerCase();
  if (coding === 'identity' || coding === '') return bytes;
  if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== 'deflate') {
    throw new IngestionError('UNSUPPORTED_ENCODING', `Content-Encoding "${coding}" is not supported; use gzip, deflate or none`, 415);
  }
  try {
    // One byte over the limit is enough to know the body is too large.
    const options = { maxOutputLength: limit + 1 };
    return coding === 'deflate' ? await inflateAsync(bytes, options) : await gunzipAsync(bytes, options);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    throw new IngestionError('MALFORMED_BODY', `The body is not valid ${coding} data: ${(error as Error).message}`, 400);
  }
}

function tooLarge(limit: number): IngestionError {
  return new IngestionError('PAYLOAD_TOO_LARGE', `The body exceeds ${Math.round(limit / 1024)} KB`, 413);
}
