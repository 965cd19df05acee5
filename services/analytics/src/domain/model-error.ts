/**
 * Why an analytics model refused its input or could not produce a result. Codes are stable strings so
 * that an API can answer them (problem+json `code`) and a scheduled job can log them.
 */
export const MODEL_ERROR_CODES = [
  /** A value is missing, not finite, or outside the range the model defines (e.g. recency > T). */
  'INVALID_INPUT',
  /** A model needs at least one (suitable) customer, basket or observation. */
  'EMPTY_INPUT',
  /** An option is outside its documented range (e.g. minSupport > 1). */
  'INVALID_OPTION',
  /** The likelihood could not be evaluated anywhere near the data (no finite starting point). */
  'FIT_FAILED',
  /** A series or optimiser did not converge within its iteration budget. */
  'NOT_CONVERGED',
] as const;

export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

export class ModelError extends Error {
  override readonly name = 'ModelError';

  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function invalidInput(message: string): ModelError {
  return new ModelError('INVALID_INPUT', message);
}

export function invalidOption(message: string): ModelError {
  return new ModelError('INVALID_OPTION', message);
}
