import { parseTimestamp } from './timestamp';

function parsed(value: unknown, timezone: string | null = null): number | null {
  const result = parseTimestamp(value, 'timestamp', timezone);
  if (!result.ok) throw new Error(result.rejection.message);
  return result.value;
}

describe('parseTimestamp', () => {
  it.each([
    ['2015-12-12T19:11:01.249Z', Date.UTC(2015, 11, 12, 19, 11, 1, 249)],
    ['2015-12-12T19:11:01Z', Date.UTC(2015, 11, 12, 19, 11, 1)],
    ['2015-12-12T19:11Z', Date.UTC(2015, 11, 12, 19, 11)],
    ['2015-12-12T19:11:01.123456789Z', Date.UTC(2015, 11, 12, 19, 11, 1, 123)],
    ['2015-12-12T19:11:01,5Z', Date.UTC(2015, 11, 12, 19, 11, 1, 500)],
    ['2015-12-12t19:11:01z', Date.UTC(2015, 11, 12, 19, 11, 1)],
    ['2015-12-13T03:11:01+08:00', Date.UTC(2015, 11, 12, 19, 11, 1)],
    ['2015-12-12T14:11:01-0500', Date.UTC(2015, 11, 12, 19, 11, 1)],
    ['2015-12-12 19:11:01', Date.UTC(2015, 11, 12, 19, 11, 1)],
    ['2015-12-12', Date.UTC(2015, 11, 12)],
    ['2016-02-29T00:00:00Z', Date.UTC(2016, 1, 29)],
    [' 2015-12-12T19:11:01Z ', Date.UTC(2015, 11, 12, 19, 11, 1)],
    ['2015-12-13T03:11:01+08', Date.UTC(2015, 11, 12, 19, 11, 1)],
    ['19970101', Date.UTC(1997, 0, 1)],
    ['20151212T191101Z', Date.UTC(2015, 11, 12, 19, 11, 1)],
    ['20151213T031101.5+0800', Date.UTC(2015, 11, 12, 19, 11, 1, 500)],
  ])('reads %j', (text, epoch) => {
    expect(parsed(text)).toBe(epoch);
  });

  it('reads epoch milliseconds, dropping fractions', () => {
    expect(parsed(1_450_000_000_123.9)).toBe(1_450_000_000_123);
  });

  it('treats absent and null as not given', () => {
    expect(parsed(undefined)).toBeNull();
    expect(parsed(null)).toBeNull();
  });

  it('reads wall-clock time in the given zone, across daylight saving changes', () => {
    expect(parsed('2024-03-15 09:30', 'Asia/Shanghai')).toBe(Date.UTC(2024, 2, 15, 1, 30));
    expect(parsed('2024-07-01T12:00:00', 'America/New_York')).toBe(Date.UTC(2024, 6, 1, 16));
    expect(parsed('2024-01-01T12:00:00', 'America/New_York')).toBe(Date.UTC(2024, 0, 1, 17));
    // an explicit offset is never reinterpreted
    expect(parsed('2024-01-01T12:00:00Z', 'America/New_York')).toBe(Date.UTC(2024, 0, 1, 12));
  });

  it('reads a time in an unknown zone as UTC rather than failing the event', () => {
    expect(parsed('2024-01-01T12:00:00', 'Mars/Olympus_Mons')).toBe(Date.UTC(2024, 0, 1, 12));
  });

  it.each([
    '2015-02-29T00:00:00Z',
    '2015-13-01T00:00:00Z',
    '2015-12-32',
    '2015-12-12T24:00:00Z',
    '2015-12-12T19:60:00Z',
    '2015-12-12T19:11:01+25:00',
    '2015-1-5',
    '12/12/2015',
    'Sat, 12 Dec 2015 19:11:01 GMT',
    '1450000000000',
    '1997011',
    '2015-12-12T1911Z',
    '20151212 191101',
    '',
    'now',
  ])('refuses %j', (text) => {
    const result = parseTimestamp(text, 'sentAt', null);
    expect(result).toMatchObject({ ok: false, rejection: { code: 'INVALID_TIMESTAMP', field: 'sentAt' } });
  });

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], [1e17], [true], [{}]])('refuses %j', (value) => {
    expect(parseTimestamp(value, 'timestamp', null)).toMatchObject({ ok: false, rejection: { code: 'INVALID_TIMESTAMP' } });
  });
});
