import { localDate, startOfPeriod, startOfPeriodAfter } from './calendar';

describe('calendar periods in the programme time zone', () => {
  const at = Date.parse('2024-03-31T20:00:00Z'); // already 1 April 04:00 in Shanghai

  it('puts an instant in the local month, not the UTC one', () => {
    expect(startOfPeriod(at, 'month', 'UTC')).toBe(Date.parse('2024-03-01T00:00:00Z'));
    expect(startOfPeriod(at, 'month', 'Asia/Shanghai')).toBe(Date.parse('2024-03-31T16:00:00Z'));
    expect(localDate(at, 'Asia/Shanghai')).toBe('2024-04-01');
  });

  it('ends a month at the next local midnight', () => {
    expect(startOfPeriodAfter(at, 'month', 1, 'Asia/Shanghai')).toBe(Date.parse('2024-04-30T16:00:00Z'));
    expect(startOfPeriodAfter(at, 'year', 1, 'UTC')).toBe(Date.parse('2025-01-01T00:00:00Z'));
  });

  it('starts weeks on Monday', () => {
    expect(startOfPeriod(Date.parse('2024-03-31T12:00:00Z'), 'week', 'UTC')).toBe(Date.parse('2024-03-25T00:00:00Z'));
  });

  it('starts quarters in January, April, July and October', () => {
    expect(startOfPeriod(Date.parse('2024-08-15T12:00:00Z'), 'quarter', 'UTC')).toBe(Date.parse('2024-07-01T00:00:00Z'));
  });

  it('follows daylight saving time: New York midnights are 05:00 UTC in winter and 04:00 in summer', () => {
    expect(startOfPeriodAfter(Date.parse('2024-02-15T12:00:00Z'), 'month', 1, 'America/New_York')).toBe(Date.parse('2024-03-01T05:00:00Z'));
    expect(startOfPeriodAfter(Date.parse('2024-03-15T12:00:00Z'), 'month', 1, 'America/New_York')).toBe(Date.parse('2024-04-01T04:00:00Z'));
    expect(startOfPeriod(Date.parse('2024-03-10T12:00:00Z'), 'day', 'America/New_York')).toBe(Date.parse('2024-03-10T05:00:00Z'));
  });
});
