import { ServiceError } from '@cdp/service-kit';
import type { RejectionCode } from '../domain';

export type LoyaltyErrorCode =
  | RejectionCode
  | 'PROGRAMME_NOT_FOUND'
  | 'PROGRAMME_EXISTS'
  | 'PROGRAMME_INACTIVE'
  | 'INVALID_PROGRAMME'
  | 'PROGRAMME_VERSION_CONFLICT'
  | 'RULE_NOT_FOUND'
  | 'REWARD_NOT_FOUND'
  | 'INVALID_REQUEST'
  | 'IDEMPOTENCY_KEY_REQUIRED'
  | 'PROGRAMME_CORRUPT';

/** The loyalty service's errors: a stable code, the HTTP status, and problem extensions (field, problems). */
export class LoyaltyError extends ServiceError {
  constructor(code: LoyaltyErrorCode, message: string, status: number, extensions: Record<string, unknown> = {}) {
    super(code, message, status, { extensions });
  }
}

/** HTTP status of each refusal of the domain: 422 for a request that can never succeed as sent, 409 for one the account's state refuses, 404 for what does not exist. */
export const REJECTION_STATUS: Readonly<Record<RejectionCode, number>> = {
  INVALID_COMMAND: 422,
  INVALID_AMOUNT: 422,
  CURRENCY_MISMATCH: 422,
  ORDER_NOT_FOUND: 404,
  UNKNOWN_REWARD: 404,
  REWARD_NOT_AVAILABLE: 409,
  NOT_TARGETED: 409,
  TIER_TOO_LOW: 409,
  LIMIT_REACHED: 409,
  INSUFFICIENT_POINTS: 409,
  COUPON_POOL_EMPTY: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  REASON_REQUIRED: 422,
  ACTOR_REQUIRED: 422,
  REFERRALS_DISABLED: 409,
  UNKNOWN_REFERRAL_CODE: 404,
  SELF_REFERRAL: 422,
  ALREADY_REFERRED: 409,
  REFERRAL_TOO_LATE: 409,
  INVALID_CURSOR: 400,
};
