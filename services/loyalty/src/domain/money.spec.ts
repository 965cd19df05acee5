import fc from 'fast-check';
import { currencyExponent, decimalOf, ratio, round, toMajorUnits, toMinorUnits } from './money';

describe('money', () => {
  describe('toMinorUnits', () => {
    it.each([
      [29.33, 'USD', 2933],
      [0.07, 'USD', 7],
      [1.1, 'EUR', 110],
      [1500, 'JPY', 1500],
      [12.345, 'KWD', 12345],
      [0, 'USD', 0],
      [1e21, 'JPY', null],
    ])('converts %d %s to %j minor units exactly', (amount, currency, minor) => {
      expect(toMinorUnits(amount, currency)).toBe(minor);
    });

    it('is exact where float multiplication is not (4.35 * 100 is 434.99999999999994)', () => {
      expect(Math.floor(4.35 * 100)).toBe(434);
      expect(toMinorUnits(4.35, 'USD')).toBe(435);
      expect(toMinorUnits(19.99, 'USD')).toBe(1999);
    });

    it('rounds a float-arithmetic residue half-even to the minor unit', () => {
      expect(toMinorUnits(0.1 + 0.2, 'USD')).toBe(30);
      expect(toMinorUnits(0.125, 'USD')).toBe(12);
      expect(toMinorUnits(0.135, 'USD')).toBe(14);
    });

    it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d', (amount) => {
      expect(toMinorUnits(amount, 'USD')).toBeNull();
    });

    it('round-trips every cent amount a shop sends', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 1e12 }), (cents) => {
          const major = toMajorUnits(cents, 'USD');
          expect(toMinorUnits(major, 'USD')).toBe(cents);
        }),
      );
    });
  });

  it('knows the ISO 4217 exponents that are not 2', () => {
    expect([currencyExponent('JPY'), currencyExponent('KRW'), currencyExponent('USD'), currencyExponent('CNY'), currencyExponent('BHD'), currencyExponent('CLF')]).toEqual([0, 0, 2, 2, 3, 4]);
  });

  it('reads a double as the decimal it prints as', () => {
    expect(decimalOf(0.1)).toEqual(ratio(1n, 10n));
    expect(decimalOf(1.5e-7)).toEqual(ratio(15n, 100000000n));
    expect(decimalOf(2e21)).toEqual(ratio(2000000000000000000000n));
  });

  describe('round', () => {
    const cases: [bigint, bigint, Record<string, bigint>][] = [
      [5n, 2n, { floor: 2n, ceil: 3n, 'half-up': 3n, 'half-even': 2n }],
      [7n, 2n, { floor: 3n, ceil: 4n, 'half-up': 4n, 'half-even': 4n }],
      [27n, 10n, { floor: 2n, ceil: 3n, 'half-up': 3n, 'half-even': 3n }],
      [21n, 10n, { floor: 2n, ceil: 3n, 'half-up': 2n, 'half-even': 2n }],
      [4n, 1n, { floor: 4n, ceil: 4n, 'half-up': 4n, 'half-even': 4n }],
      [-5n, 2n, { floor: -3n, ceil: -2n, 'half-up': -3n, 'half-even': -2n }],
    ];
    it.each(cases)('rounds %d/%d by each mode', (n, d, expected) => {
      for (const [mode, value] of Object.entries(expected)) expect([mode, round(ratio(n, d), mode as 'floor')]).toEqual([mode, value]);
    });
  });
});
