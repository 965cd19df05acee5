import { cleanCurrency } from './currency';

describe('cleanCurrency', () => {
  it.each([
    ['usd', 'USD'],
    [' cny ', 'CNY'],
    ['Eur', 'EUR'],
    ['HRK', 'HRK'],
  ])('upper-cases %j to %s', (input, code) => {
    expect(cleanCurrency(input, 'properties.currency')).toEqual({ ok: true, value: code });
  });

  it.each([undefined, null, '', '  '])('treats %j as not given', (input) => {
    expect(cleanCurrency(input, 'properties.currency')).toEqual({ ok: true, value: null });
  });

  it.each(['RMB', 'US$', 'XAU', 'XXX', 'dollars', 840, true])('rejects %j naming the field', (input) => {
    expect(cleanCurrency(input, 'properties.currency')).toMatchObject({ ok: false, rejection: { code: 'INVALID_CURRENCY', field: 'properties.currency' } });
  });
});
