import { CreateProfileSchema1767225600000 } from './1767225600000-create-profile-schema.migration';
import { CreateProfileProjection1767571200000 } from './1767571200000-create-profile-projection.migration';
import { AddOrderAdjustments1767830400000 } from './1767830400000-add-order-adjustments.migration';

/** Every migration of the profile schema, oldest first. */
export const PROFILE_MIGRATIONS = [CreateProfileSchema1767225600000, CreateProfileProjection1767571200000, AddOrderAdjustments1767830400000];
