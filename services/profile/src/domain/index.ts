/**
 * The profile domain: what a resolved event says about its profile (traits with event times,
 * set-once traits, consents, orders, interactions), how facts fold (a late event never overwrites a
 * newer value), the computed traits, the unified view of a merge group and its diff, and the merge
 * forest that merges and splits maintain. Pure: no database, no clock, no framework.
 */
export * from './json';
export * from './pii';
export * from './trait-folding';
export * from './consents';
export * from './event-facts';
export * from './computed-traits';
export * from './order-adjustments';
export * from './profile-view';
export * from './merge-forest';
export * from './identifier-normalisation';
