/**
 * The loyalty domain: programmes, an event-sourced points ledger, tiers, rewards, referrals, merges.
 * Pure; see README.md in this folder for the model and every policy. The surface:
 * - `decide(command, accounts, ctx)` -> events or a rejection; `accountsToLoad` says which accounts it reads.
 * - `evolve(account, event)` folds an account's stream; `applyEvents` routes a decision's events.
 * - Projections: `summarize`, `historyPage`, `dueNotifications`, `nextDueAt`, `previewOrderPoints`.
 * - Configuration: the `Programme` type and `validateProgramme`.
 */
export { decide, accountsToLoad, type Decision } from './decide';
export {
  evolve,
  replay,
  applyEvents,
  emptyAccount,
  activeBalance,
  pendingBalance,
  findRedemption,
  type AccountState,
  type Accounts,
  type LedgerTotals,
  type TierChangeRecord,
} from './account';
export type { LoyaltyCommand, LoyaltyCommandType, OrderInput, ProductInput, ReportedActivity, Lookups, DecideContext } from './commands';
export {
  isLedgerEvent,
  balanceChange,
  mergeKey,
  LEDGER_EVENT_TYPES,
  type LoyaltyEvent,
  type LoyaltyEventType,
  type LedgerEvent,
  type Cause,
  type Lot,
  type Allocation,
  type ReversalTarget,
  type OrderRecord,
  type OrderCredit,
  type ActivityRecord,
  type Redemption,
  type RewardGrant,
  type MergeRecord,
  type PortableRecords,
  type TierHolding,
  type Notification,
  type RefundPolicy,
  type PointsEarned,
  type PointsPending,
  type PointsActivated,
  type PointsRedeemed,
  type PointsExpired,
  type PointsReversed,
  type PointsAdjusted,
  type PointsTransferred,
  type OrderRecorded,
  type RefundRecorded,
  type ActivityRecorded,
  type TierChanged,
  type NotificationRequested,
  type ReferralCodeIssued,
  type ReferralLinked,
  type AccountMerged,
  type AccountMergedInto,
  type AccountSplit,
  type AccountRestored,
} from './events';
export {
  validateProgramme,
  ACTIVITY_KINDS,
  LIMIT_PERIODS,
  type Programme,
  type ProgrammeProblem,
  type ExpiryPolicy,
  type EarningRule,
  type PurchaseRule,
  type ActivityRule,
  type ActivityKind,
  type ProductMatch,
  type ProductMultiplier,
  type Targeting,
  type UsageLimit,
  type LimitPeriod,
  type TierPolicy,
  type TierLevel,
  type Reward,
  type RewardGrantSpec,
  type ReferralPolicy,
  type NotificationPolicy,
} from './programme';
export { REJECTION_CODES, LoyaltyDomainError, type Rejection, type RejectionCode, type LoyaltyErrorCode } from './errors';
export { summarize, pointsConserved, historyPage, type AccountSummary, type RecordedEvent, type HistoryPage } from './summary';
export { dueNotifications, nextDueAt, type DueNotification } from './due-work.decider';
export { activityOf } from './activities.decider';
export { previewOrderPoints } from './preview';
export { tierProgress, qualifyingValue, type TierProgress } from './tiers';
export { ROUNDING_MODES, toMinorUnits, currencyExponent, type RoundingMode } from './money';
export { toLedgerEntry } from './ledger-entry.mapper';
