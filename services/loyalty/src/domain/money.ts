/**
 * Money and exact arithmetic. Amounts arrive as doubles in major units (Segment sends JSON numbers);
 * a double's shortest round-trip decimal is what the sender wrote, so it is parsed as that decimal,
 * never multiplied as a float (4.35 * 100 is 434.99999999999994).
 */

export const ROUNDING_MODES = ['floor', 'ceil', 'half-up', 'half-even'] as const;
export type RoundingMode = (typeof ROUNDING_MODES)[number];

// ISO 4217 minor-unit exponents that are not 2. Every other code has 2 (including the withdrawn codes
// still found in historical data, except BYR).
const EXPONENTS: Readonly<Record<string, number>> = Object.fromEntries([
  ...'BIF BYR CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' ').map((c) => [c, 0]),
  ...'BHD IQD JOD KWD LYD OMR TND'.split(' ').map((c) => [c, 3]),
  ...'CLF UYW'.split(' ').map((c) => [c, 4]),
]);

export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code);
}

/** Digits after the decimal point of the currency's minor unit (JPY 0, USD 2, KWD 3). */
export function currencyExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

/** An exact non-negative or negative rational; `d` is always positive. */
export interface Ratio {
  readonly n: bigint;
  readonly d: bigint;
}

export const ZERO: Ratio = { n: 0n, d: 1n };
export const ONE: Ratio = { n: 1n, d: 1n };

export function ratio(n: bigint, d: bigint = 1n): Ratio {
  if (d === 0n) throw new RangeError('ratio with a zero denominator');
  return d < 0n ? { n: -n, d: -d } : { n, d };
}

export function mul(a: Ratio, b: Ratio): Ratio {
  return ratio(a.n * b.n, a.d * b.d);
}

export function add(a: Ratio, b: Ratio): Ratio {
  return a.d === b.d ? ratio(a.n + b.n, a.d) : ratio(a.n * b.d + b.n * a.d, a.d * b.d);
}

export function div(a: Ratio, b: Ratio): Ratio {
  return ratio(a.n * b.d, a.d * b.n);
}

/**
 * The exact decimal a finite double prints as (its shortest round-trip form): 0.1 is 1/10, not
 * 0.1000000000000000055511151231257827. Config rates (0.5 points per unit, a 1.5x multiplier) and
 * amounts both go through here.
 */
export function decimalOf(value: number): Ratio {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) throw new RangeError(`unexpected number form: ${value}`);
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText) - fraction.length;
  const digits = BigInt(`${sign}${whole}${fraction}`);
  return exponent >= 0 ? ratio(digits * 10n ** BigInt(exponent)) : ratio(digits, 10n ** BigInt(-exponent));
}

function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n !== d < 0n ? q - 1n : q;
}

/** Rounds to an integer. half-up rounds halves away from zero; half-even rounds them to the even neighbour. */
export function round(value: Ratio, mode: RoundingMode): bigint {
  const { n, d } = value;
  const floor = floorDiv(n, d);
  const remainder = n - floor * d; // 0 <= remainder < d
  switch (mode) {
    case 'floor':
      return floor;
    case 'ceil':
      return remainder === 0n ? floor : floor + 1n;
    case 'half-up': {
      const twice = 2n * remainder;
      if (twice > d) return floor + 1n;
      if (twice < d) return floor;
      return n < 0n ? floor : floor + 1n;
    }
    case 'half-even': {
      const twice = 2n * remainder;
      if (twice > d) return floor + 1n;
      if (twice < d) return floor;
      return floor % 2n === 0n ? floor : floor + 1n;
    }
    default: {
      const never: never = mode;
      throw new RangeError(`unknown rounding mode ${String(never)}`);
    }
  }
}

export function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`${value} exceeds the safe integer range`);
  return Number(value);
}

/**
 * An amount in integer minor units of its currency (29.33 USD -> 2933, 1500 JPY -> 1500). A double
 * with more decimals than the currency has (0.30000000000000004, the residue of a client's float
 * sums) is rounded half-even to the minor unit: that is cleaning money, not rounding points.
 * Null for negative, non-finite or out-of-range amounts.
 */
export function toMinorUnits(amount: number, currency: string): number | null {
  if (!Number.isFinite(amount) || amount < 0) return null;
  const minor = round(mul(decimalOf(amount), ratio(10n ** BigInt(currencyExponent(currency)))), 'half-even');
  return minor > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(minor);
}

/** Minor units back to major units, for display and events (2933 USD -> 29.33). */
export function toMajorUnits(minor: number, currency: string): number {
  return minor / 10 ** currencyExponent(currency);
}
