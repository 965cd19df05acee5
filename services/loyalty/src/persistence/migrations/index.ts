import { CreateLoyaltySchema1767225600000 } from './1767225600000-create-loyalty-schema.migration';

/** Every migration of the loyalty schema, oldest first. */
export const LOYALTY_MIGRATIONS = [CreateLoyaltySchema1767225600000];
