/** The clock of the profile service (epoch ms): age bands, days since the last order, receipts. */
export const PROFILE_CLOCK = Symbol('PROFILE_CLOCK');
export type Clock = () => number;
