import { CreateIdentitySchema1767225600000 } from './1767225600000-create-identity-schema.migration';
import { CreateIdentityGraph1767484800000 } from './1767484800000-create-identity-graph.migration';

/** Every migration of the identity schema, oldest first. */
export const IDENTITY_MIGRATIONS = [CreateIdentitySchema1767225600000, CreateIdentityGraph1767484800000];
