import { isSupportedCountry } from 'libphonenumber-js';
import { SOURCE_CHANNELS, type SourceChannel } from '../persistence/source.entity';
import { IngestionError } from './ingestion.error';

export interface CreateSourceInput {
  name: string;
  channel: SourceChannel;
  storeId: string | null;
  defaultPhoneRegion: string | null;
  timezone: string | null;
  rateLimitPerSecond: number | null;
}

const FIELDS = new Set(['name', 'channel', 'storeId', 'defaultPhoneRegion', 'timezone', 'rateLimitPerSecond']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Validates the body of `POST /v1/sources`; every complaint names its field. */
export function parseCreateSource(body: unknown): CreateSourceInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid(null, 'expected a JSON object');
  const raw = body as Record<string, unknown>;
  const unknown = Object.keys(raw).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) throw invalid(unknown, `unknown field; expected ${[...FIELDS].join(', ')}`);

  const name = typeof raw.name === 'string' ? raw.name.trim() : '';
  if (name.length === 0 || name.length > 200) throw invalid('name', 'expected a non-empty string of at most 200 characters');
  if (!SOURCE_CHANNELS.includes(raw.channel as SourceChannel)) throw invalid('channel', `expected one of ${SOURCE_CHANNELS.join(', ')}`);

  const storeId = optionalString(raw, 'storeId', 200);
  const region = optionalString(raw, 'defaultPhoneRegion', 2)?.toUpperCase() ?? null;
  if (region !== null && !isSupportedCountry(region)) throw invalid('defaultPhoneRegion', 'expected an ISO 3166-1 alpha-2 region with a phone numbering plan, e.g. "CN", "US"');
  const timezone = optionalString(raw, 'timezone', 100);
  if (timezone !== null && !isTimeZone(timezone)) throw invalid('timezone', 'expected an IANA time zone, e.g. "Asia/Shanghai"');
  const rate = raw.rateLimitPerSecond ?? null;
  if (rate !== null && !(Number.isSafeInteger(rate) && (rate as number) > 0 && (rate as number) <= 10_000_000)) {
    throw invalid('rateLimitPerSecond', 'expected a positive integer (events per second) or null');
  }
  return { name, channel: raw.channel as SourceChannel, storeId, defaultPhoneRegion: region, timezone, rateLimitPerSecond: rate as number | null };
}

/** Source ids are UUIDs; anything else names no source (and never reaches Postgres as a bad cast). */
export function isSourceId(id: string): boolean {
  return UUID.test(id);
}

function optionalString(raw: Record<string, unknown>, field: string, maxLength: number): string | null {
  const value = raw[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim().length === 0 || value.trim().length > maxLength) {
    throw invalid(field, `expected a non-empty string of at most ${maxLength} characters, or null`);
  }
  return value.trim();
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function invalid(field: string | null, message: string): IngestionError {
  return new IngestionError('INVALID_SOURCE', field ? `${field}: ${message}` : message, 422, { field });
}
