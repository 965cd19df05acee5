/**
 * Calendar periods in the programme's IANA time zone: "end of month" for a Shanghai retailer is
 * midnight in Shanghai, not in UTC. Weeks start on Monday (ISO 8601). Pure: Intl ships with the
 * runtime and its time-zone data.
 */

export const DAY_MS = 86_400_000;

export const CALENDAR_UNITS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type CalendarUnit = (typeof CALENDAR_UNITS)[number];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface LocalDate {
  year: number;
  month: number; // 1..12
  day: number;
}

function localParts(instant: number, timeZone: string): LocalDate & { hour: number; minute: number; second: number } {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** How far the zone's wall clock is ahead of UTC at an instant, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant of local midnight starting a date; Date.UTC normalises overflowing days and months. */
function startOfLocalDate(date: LocalDate, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day);
  const first = wall - offsetAt(wall, timeZone);
  // A second pass settles dates whose offset differs from the offset at UTC midnight (DST changes).
  return wall - offsetAt(first, timeZone);
}

function civil(wall: number): LocalDate {
  const d = new Date(wall);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function periodStartDate(date: LocalDate, unit: CalendarUnit): LocalDate {
  switch (unit) {
    case 'day':
      return date;
    case 'week': {
      const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
      return civil(Date.UTC(date.year, date.month - 1, date.day - ((weekday + 6) % 7)));
    }
    case 'month':
      return { year: date.year, month: date.month, day: 1 };
    case 'quarter':
      return { year: date.year, month: date.month - ((date.month - 1) % 3), day: 1 };
    case 'year':
      return { year: date.year, month: 1, day: 1 };
    default: {
      const never: never = unit;
      throw new RangeError(`unknown calendar unit ${String(never)}`);
    }
  }
}

function shift(date: LocalDate, unit: CalendarUnit, count: number): LocalDate {
  switch (unit) {
    case 'day':
      return civil(Date.UTC(date.year, date.month - 1, date.day + count));
    case 'week':
      return civil(Date.UTC(date.year, date.month - 1, date.day + 7 * count));
    case 'month':
      return civil(Date.UTC(date.year, date.month - 1 + count, date.day));
    case 'quarter':
      return civil(Date.UTC(date.year, date.month - 1 + 3 * count, date.day));
    case 'year':
      return civil(Date.UTC(date.year + count, date.month - 1, date.day));
    default: {
      const never: never = unit;
      throw new RangeError(`unknown calendar unit ${String(never)}`);
    }
  }
}

/** Start of the period containing `instant` (inclusive). */
export function startOfPeriod(instant: number, unit: CalendarUnit, timeZone: string): number {
  return startOfLocalDate(periodStartDate(localParts(instant, timeZone), unit), timeZone);
}

/**
 * Start of the period `count` periods after the one containing `instant`: with count 1, the end
 * (exclusive) of the current period, e.g. the first midnight of next month.
 */
export function startOfPeriodAfter(instant: number, unit: CalendarUnit, count: number, timeZone: string): number {
  return startOfLocalDate(shift(periodStartDate(localParts(instant, timeZone), unit), unit, count), timeZone);
}

/** Local calendar date of an instant as YYYY-MM-DD. */
export function localDate(instant: number, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}
