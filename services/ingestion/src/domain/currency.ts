import { accept, type Checked, quote, reject } from './rejection';

/**
 * ISO 4217 alphabetic codes of currencies that can price a sale: the active list, plus codes withdrawn
 * since 2007 because /v1/import carries historical orders (a 2019 Croatian receipt is in HRK).
 * Precious metals, bond units, SDR and the test/no-currency codes (XAU, XBA..XBD, XDR, XTS, XXX, ...)
 * are left out: no order is priced in them, so seeing one means a broken tracking plan.
 */
export const ISO_4217_CURRENCIES: ReadonlySet<string> = new Set(
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP ' +
    'BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB ' +
    'EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY ' +
    'KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR ' +
    'MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB ' +
    'RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD ' +
    'TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ' +
    // withdrawn since 2007, still found in historical data
    'BYR CYP EEK GHC HRK LTL LVL MRO MTL MZM ROL SIT SKK STD TMM VEB VEF ZMK ZWD ZWL ZWR'
  ).split(' '),
);

/**
 * Upper-cased ISO 4217 code. Blank means "not given" (forms submit empty fields); anything else that
 * is not a known code rejects the event, because amounts in an unknown currency cannot be summed.
 */
export function cleanCurrency(value: unknown, field: string): Checked<string | null> {
  if (value === undefined || value === null) return accept(null);
  if (typeof value !== 'string') return reject('INVALID_CURRENCY', field, `${field} must be an ISO 4217 code string`);
  const code = value.trim().toUpperCase();
  if (code === '') return accept(null);
  if (!ISO_4217_CURRENCIES.has(code)) return reject('INVALID_CURRENCY', field, `${field} ${quote(value)} is not an ISO 4217 currency code`);
  return accept(code);
}
