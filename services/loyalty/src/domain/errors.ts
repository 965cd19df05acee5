/**
 * Why a command was refused. Codes are stable strings: the API answers them (problem+json `code`)
 * and consumers log them. A refusal is an outcome, not an error: nothing is recorded.
 */
export const REJECTION_CODES = [
  'INVALID_COMMAND',
  'INVALID_AMOUNT',
  'CURRENCY_MISMATCH',
  'ORDER_NOT_FOUND',
  'UNKNOWN_REWARD',
  'REWARD_NOT_AVAILABLE',
  'NOT_TARGETED',
  'TIER_TOO_LOW',
  'LIMIT_REACHED',
  'INSUFFICIENT_POINTS',
  'COUPON_POOL_EMPTY',
  'IDEMPOTENCY_KEY_REUSED',
  'REASON_REQUIRED',
  'ACTOR_REQUIRED',
  'REFERRALS_DISABLED',
  'UNKNOWN_REFERRAL_CODE',
  'SELF_REFERRAL',
  'ALREADY_REFERRED',
  'REFERRAL_TOO_LATE',
  'INVALID_CURSOR',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  code: RejectionCode;
  message: string;
}

export function rejection(code: RejectionCode, message: string): Rejection {
  return { code, message };
}

export const LOYALTY_ERROR_CODES = ['ACCOUNT_NOT_LOADED'] as const;
export type LoyaltyErrorCode = (typeof LOYALTY_ERROR_CODES)[number];

/**
 * A caller broke the domain's contract: an account `decide` reads was not loaded. Thrown, not
 * returned, because it is a bug in the caller, not an outcome.
 */
export class LoyaltyDomainError extends Error {
  constructor(
    readonly code: LoyaltyErrorCode,
    message: string,
    readonly profileId: string | null = null,
  ) {
    super(message);
    this.name = 'LoyaltyDomainError';
  }
}
