import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SEGMENT_LIMITS } from '../domain';

/** What the reader leaves on a Segment request: the raw bytes, or how far it got before giving up. */
export type ReceivedBody = { kind: 'bytes'; bytes: Buffer } | { kind: 'too-large'; limit: number };

export type RequestWithSegmentBody = IncomingMessage & { segmentBody?: ReceivedBody };

export const SEGMENT_CALLS = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export const SEGMENT_PATHS = [...SEGMENT_CALLS, 'batch', 'import'].map((call) => `/v1/${call}`);

// Compressed bodies larger than the largest decompressed body we accept are not worth reading.
const RAW_LIMIT = SEGMENT_LIMITS.maxBatchBytes;

type Next = (error?: unknown) => void;
type Middleware = (req: RequestWithSegmentBody, res: ServerResponse, next: Next) => void;
type ExpressLike = { use(paths: string[], ...handlers: Middleware[]): void };

/**
 * Reads Segment request bodies as raw bytes, whatever their content type. It must run before the
 * JSON parser the app installs at start-up: that parser stops at 100 KB (Segment batches may be
 * 500 KB), reads only application/json (analytics.js sends text/plain) and answers errors itself.
 * Express runs middleware in registration order and Nest installs its parser in app.init(), after
 * providers are constructed, hence registration from this constructor. Once the body has been read
 * the JSON parser sees a finished request and leaves it alone.
 */
@Injectable()
export class SegmentBodyReader {
  constructor(adapterHost: HttpAdapterHost) {
    adapterHost.httpAdapter.getInstance<ExpressLike>().use(SEGMENT_PATHS, allowBrowsers, readSegmentBody);
  }
}

/**
 * Web sources call the Segment endpoints straight from shoppers' browsers (analytics.js), from the
 * shop's origin: answer CORS preflights and let any origin read the answers, as Segment's API does.
 * The write key identifies a source publicly anyway and no cookies are involved, so `*` gives
 * nothing away.
 */
function allowBrowsers(req: RequestWithSegmentBody, res: ServerResponse, next: Next): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
  if (req.method !== 'OPTIONS') return next();
  res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Content-Encoding');
  res.setHeader('Access-Control-Max-Age', '86400');
  res.statusCode = 204;
  res.end();
}

function readSegmentBody(req: RequestWithSegmentBody, _res: ServerResponse, next: Next): void {
  if (req.method !== 'POST') return next();
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    // Past the limit the rest is drained, not kept, so the answer (413) can still be sent on this connection.
    if (size > RAW_LIMIT) tooLarge = true;
    else chunks.push(chunk);
  });
  req.once('end', () => {
    req.segmentBody = tooLarge ? { kind: 'too-large', limit: RAW_LIMIT } : { kind: 'bytes', bytes: Buffer.concat(chunks, size) };
    next();
  });
  req.once('error', (error) => next(error));
}
