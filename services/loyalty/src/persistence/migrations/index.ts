import { CreateLoyaltySchema1767225600000 } from './1767225600000-create-loyalty-schema.migration';
import { CreateLoyaltyLedger1767571200000 } from './1767571200000-create-loyalty-ledger.migration';

/** Every migration of the loyalty schema, oldest first. */
export const LOYALTY_MIGRATIONS = [CreateLoyaltySchema1767225600000, CreateLoyaltyLedger1767571200000];
