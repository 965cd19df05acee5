import { accept, type Checked, quote, reject } from './rejection';

/**
 * ISO 8601 as clients and store systems write it: a calendar date, optionally a time (minutes, seconds
 * and a fraction of up to 9 digits; `T`, or a space in the extended form), optionally `Z` or an offset.
 * Both the extended form (2024-03-15T09:30:00+08:00) and the basic form POS exports use (20240315,
 * 20240315T093000Z) are read. Week dates, ordinal dates and the "2024-1-5" variants Date.parse would
 * accept are refused: a format guessed wrong is a wrong timestamp.
 */
const ZONE = '(?:(Z)|([+-])(\\d{2})(?::?(\\d{2}))?)';
const ISO_8601_EXTENDED = new RegExp(`^(\\d{4})-(\\d{2})-(\\d{2})(?:[T ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?${ZONE}?)?$`, 'i');
const ISO_8601_BASIC = new RegExp(`^(\\d{4})(\\d{2})(\\d{2})(?:T(\\d{2})(\\d{2})(?:(\\d{2})(?:[.,](\\d{1,9}))?)?${ZONE}?)?$`, 'i');

/** Year 0000 to 9999 in epoch ms: inside the +-2^52 range the Avro contract allows for longs. */
const EARLIEST_REPRESENTABLE = -62_167_219_200_000; // 0000-01-01T00:00:00Z
const LATEST_REPRESENTABLE = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const YEAR_1 = -62_135_596_800_000; // 0001-01-01T00:00:00Z

/**
 * A client timestamp in epoch ms: an ISO 8601 string or an epoch-milliseconds number. A string without
 * an offset is wall-clock time in `timezone` (the source's, e.g. a POS exporting local times), else UTC.
 */
export function parseTimestamp(value: unknown, field: string, timezone: string | null): Checked<number | null> {
  if (value === undefined || value === null) return accept(null);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return reject('INVALID_TIMESTAMP', field, `${field} must be a finite number of epoch milliseconds`);
    // `+ 0` turns -0 into 0: the Avro long encoder refuses negative zero.
    const ms = Math.trunc(value) + 0;
    if (ms < EARLIEST_REPRESENTABLE || ms > LATEST_REPRESENTABLE) {
      return reject('INVALID_TIMESTAMP', field, `${field} ${value} is outside years 0000-9999 as epoch milliseconds`);
    }
    return accept(ms);
  }
  if (typeof value !== 'string') return reject('INVALID_TIMESTAMP', field, `${field} must be an ISO 8601 string or epoch milliseconds`);
  const trimmed = value.trim();
  const match = ISO_8601_EXTENDED.exec(trimmed) ?? ISO_8601_BASIC.exec(trimmed);
  if (!match) return reject('INVALID_TIMESTAMP', field, `${field} ${quote(value)} is not an ISO 8601 timestamp`);
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zulu, sign, offH, offM = '0'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return reject('INVALID_TIMESTAMP', field, `${field} ${quote(value)} is not a calendar date and time`);
  }
  const wallClockAsUtc = utcMs(year, month, day, hour, minute, second, millis);
  let epoch: number;
  if (zulu !== undefined) epoch = wallClockAsUtc;
  else if (sign !== undefined) {
    const offsetHours = Number(offH);
    const offsetMinutes = Number(offM);
    if (offsetHours > 23 || offsetMinutes > 59) return reject('INVALID_TIMESTAMP', field, `${field} ${quote(value)} has an invalid UTC offset`);
    const offset = (offsetHours * 60 + offsetMinutes) * 60_000;
    epoch = sign === '+' ? wallClockAsUtc - offset : wallClockAsUtc + offset;
  } else epoch = wallClockToEpoch(wallClockAsUtc, timezone);
  if (epoch < EARLIEST_REPRESENTABLE || epoch > LATEST_REPRESENTABLE) {
    return reject('INVALID_TIMESTAMP', field, `${field} ${quote(value)} is outside years 0000-9999`);
  }
  return accept(epoch);
}

function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, millis: number): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timezone: string): Intl.DateTimeFormat | null {
  if (!formatters.has(timezone)) {
    let formatter: Intl.DateTimeFormat | null;
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: timezone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      // An unknown zone is a source configuration error, not the event's: its times are read as UTC.
      formatter = null;
    }
    formatters.set(timezone, formatter);
  }
  return formatters.get(timezone) ?? null;
}

/** Offset of `timezone` from UTC at the instant `epoch`, in ms (Asia/Shanghai: +8h). */
function zoneOffsetMs(formatter: Intl.DateTimeFormat, epoch: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(epoch))) {
    if (part.type !== 'literal' && part.type !== 'era') parts[part.type] = Number(part.value);
  }
  const asUtc = utcMs(parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second, 0);
  return asUtc - (epoch - (((epoch % 1000) + 1000) % 1000));
}

/**
 * Local wall-clock time to an instant. Two passes settle the offset around DST changes; a time that
 * does not exist (skipped by a spring-forward) resolves to the instant one offset-change later.
 */
function wallClockToEpoch(wallClockAsUtc: number, timezone: string | null): number {
  const formatter = timezone === null ? null : formatterFor(timezone);
  // Before year 1 the formatter's years need an era to be read back; no zone rules reach that far anyway.
  if (formatter === null || wallClockAsUtc < YEAR_1) return wallClockAsUtc;
  const firstGuess = wallClockAsUtc - zoneOffsetMs(formatter, wallClockAsUtc);
  return wallClockAsUtc - zoneOffsetMs(formatter, firstGuess);
}
