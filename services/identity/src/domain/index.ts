/**
 * The identity domain: identifiers out of an event, rules that say which may link, and the resolver
 * that decides, for a batch of events, which profile each belongs to and which profiles merge. Pure:
 * identifiers are blind-index refs here, ids come from a generator, nothing touches a database.
 */
export * from './identity-rules';
export * from './identifier-extraction';
export * from './identity-graph';
export * from './resolution';
export * from './unmerge';
