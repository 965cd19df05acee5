/**
 * The analytics models: pure functions over plain records and typed arrays, no I/O. See README.md
 * beside this file for the definitions, the RFM grid and the published figures the specs check.
 */
export * from './model-error';
export * from './transaction-summary';
export * from './rfm';
export * from './bg-nbd';
export * from './gamma-gamma';
export * from './clv';
export * from './fp-growth';
export * from './association-rules';
export * from './population-diff';
export { minimize, type MinimizeOptions, type MinimizeResult } from './nelder-mead';
export { hyp2f1, logBeta, logGamma, logSumExp } from './special-functions';
