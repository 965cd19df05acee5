import { CreateProfileSchema1767225600000 } from './1767225600000-create-profile-schema.migration';

/** Every migration of the profile schema, oldest first. */
export const PROFILE_MIGRATIONS = [CreateProfileSchema1767225600000];
