import { resolveEventTime } from './event-time';

const receivedAt = Date.parse('2024-03-15T08:00:00.000Z');
const at = (iso: string) => Date.parse(iso);

describe('resolveEventTime (clock-skew correction)', () => {
  it('given a device clock 3 hours fast, keeps the 2 s between event and send and lays them back from receipt', () => {
    const result = resolveEventTime(
      { timestamp: null, originalTimestamp: at('2024-03-15T11:00:00.000Z'), sentAt: at('2024-03-15T11:00:02.000Z') },
      receivedAt,
    );
    expect(result).toEqual({
      ok: true,
      value: { timestamp: receivedAt - 2000, originalTimestamp: at('2024-03-15T11:00:00.000Z'), sentAt: at('2024-03-15T11:00:02.000Z') },
    });
  });

  it('uses the client timestamp as the original when a server library sends timestamp and sentAt', () => {
    const result = resolveEventTime({ timestamp: at('2024-03-15T07:00:00Z'), originalTimestamp: null, sentAt: at('2024-03-15T07:00:05Z') }, receivedAt);
    expect(result).toMatchObject({ ok: true, value: { timestamp: receivedAt - 5000, originalTimestamp: at('2024-03-15T07:00:00Z') } });
  });

  it('prefers originalTimestamp over timestamp as the client time', () => {
    const result = resolveEventTime(
      { timestamp: at('2020-01-01T00:00:00Z'), originalTimestamp: at('2024-03-15T07:00:00Z'), sentAt: at('2024-03-15T07:00:01Z') },
      receivedAt,
    );
    expect(result).toMatchObject({ ok: true, value: { timestamp: receivedAt - 1000 } });
  });

  it('without sentAt takes the timestamp as given, else receipt time', () => {
    expect(resolveEventTime({ timestamp: at('2001-05-05T00:00:00Z'), originalTimestamp: null, sentAt: null }, receivedAt)).toMatchObject({
      ok: true,
      value: { timestamp: at('2001-05-05T00:00:00Z'), originalTimestamp: at('2001-05-05T00:00:00Z'), sentAt: null },
    });
    expect(resolveEventTime({ timestamp: null, originalTimestamp: null, sentAt: null }, receivedAt)).toMatchObject({ ok: true, value: { timestamp: receivedAt, originalTimestamp: null } });
    expect(resolveEventTime({ timestamp: null, originalTimestamp: null, sentAt: at('2024-03-15T07:59:59Z') }, receivedAt)).toMatchObject({ ok: true, value: { timestamp: receivedAt } });
  });

  it('accepts up to a day ahead and rejects beyond, naming the field', () => {
    expect(resolveEventTime({ timestamp: receivedAt + 86_400_000, originalTimestamp: null, sentAt: null }, receivedAt).ok).toBe(true);
    expect(resolveEventTime({ timestamp: receivedAt + 86_400_001, originalTimestamp: null, sentAt: null }, receivedAt)).toMatchObject({
      ok: false,
      rejection: { code: 'INVALID_TIMESTAMP', field: 'timestamp' },
    });
  });

  it('rejects an event before 1990 even after correction', () => {
    // the device says the event happened 40 years before it sent it
    const result = resolveEventTime({ timestamp: null, originalTimestamp: at('1980-01-01T00:00:00Z'), sentAt: at('2020-01-01T00:00:00Z') }, receivedAt);
    expect(result).toMatchObject({ ok: false, rejection: { code: 'INVALID_TIMESTAMP', field: 'originalTimestamp' } });
    expect(result.ok || result.rejection.message).toContain('after clock-skew correction');
  });
});
