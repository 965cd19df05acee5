import type { IHeaders } from 'kafkajs';

/** Every record the runtime produces carries these headers; consumers dedupe on the event id. */
export const EVENT_ID_HEADER = 'cdp-event-id';
export const SCHEMA_HEADER = 'cdp-schema';

export type StringHeaders = Record<string, string>;

/** kafkajs hands headers over as Buffer | string | arrays of them; flatten to strings (last value wins). */
export function headersToStrings(headers: IHeaders | undefined): StringHeaders {
  const out: StringHeaders = {};
  if (!headers) return out;
  for (const [key, raw] of Object.entries(headers)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    out[key] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}
