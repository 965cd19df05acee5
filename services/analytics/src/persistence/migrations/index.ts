import { CreateAnalyticsSchema1767225600000 } from './1767225600000-create-analytics-schema.migration';

/** Every migration of the analytics schema, oldest first. */
export const ANALYTICS_MIGRATIONS = [CreateAnalyticsSchema1767225600000];
