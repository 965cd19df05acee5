import { sqlString, sqlStringList, sqlTime } from './clickhouse-sql';

describe('ClickHouse literals', () => {
  it('escapes quotes, backslashes and control characters so the value stays one literal', () => {
    expect(sqlString("it's")).toBe("'it\\'s'");
    expect(sqlString('a\\')).toBe("'a\\\\'");
    expect(sqlString("x\\' OR 1=1 --")).toBe("'x\\\\\\' OR 1=1 --'");
    expect(sqlString('a\u0000b\nc')).toBe("'a\\x00b\\x0ac'");
  });

  it('lists values, and never produces an empty IN list', () => {
    expect(sqlStringList(['a', 'b'])).toBe("('a', 'b')");
    expect(sqlStringList([])).toBe("('')");
  });

  it('refuses a time that is not whole milliseconds', () => {
    expect(sqlTime(1000)).toBe("fromUnixTimestamp64Milli(toInt64(1000), 'UTC')");
    expect(() => sqlTime(1.5)).toThrow(RangeError);
  });
});
