import { CreateIdentitySchema1767225600000 } from './1767225600000-create-identity-schema.migration';

/** Every migration of the identity schema, oldest first. */
export const IDENTITY_MIGRATIONS = [CreateIdentitySchema1767225600000];
