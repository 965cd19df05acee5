import type { JsonValue } from './json';

/**
 * `set`: the value of the latest event wins (a late or replayed older event never overwrites it).
 * `once` (`$set_once`): the value of the earliest event wins, and only while no `set` exists.
 */
export type TraitMode = 'set' | 'once';

/** One trait value as an event stated it. A null value unsets the trait (as of that event). */
export interface TraitFact {
  readonly name: string;
  readonly mode: TraitMode;
  readonly value: JsonValue;
  /** Event time (epoch ms) of the event that stated it. */
  readonly at: number;
  readonly eventId: string;
}

/**
 * Whether `incoming` replaces `current` in the same slot (name and mode). Ties on event time are
 * broken by event id, so the outcome never depends on the order the events arrive in.
 */
export function supersedes(incoming: TraitFact, current: TraitFact | undefined): boolean {
  if (!current) return true;
  const order = compareFacts(incoming, current);
  return incoming.mode === 'set' ? order > 0 : order < 0;
}

function compareFacts(a: Pick<TraitFact, 'at' | 'eventId'>, b: Pick<TraitFact, 'at' | 'eventId'>): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

export function slotOf(fact: Pick<TraitFact, 'name' | 'mode'>): string {
  return `${fact.mode}\u0000${fact.name}`;
}

/** The winning fact per slot among `facts` (a batch's facts of one profile, or a profile's stored ones). */
export function foldTraits(facts: Iterable<TraitFact>): Map<string, TraitFact> {
  const winners = new Map<string, TraitFact>();
  for (const fact of facts) {
    const slot = slotOf(fact);
    if (supersedes(fact, winners.get(slot))) winners.set(slot, fact);
  }
  return winners;
}

/**
 * The traits a (unified) profile shows, from the stored facts of every profile in its merge group:
 * per name, the latest `set` of any of them, else the earliest `once`. Unset traits (null) are absent,
 * but their fact still wins over older ones.
 */
export function effectiveTraits(facts: Iterable<TraitFact>): Map<string, TraitFact> {
  const winners = foldTraits(facts);
  const out = new Map<string, TraitFact>();
  for (const fact of winners.values()) {
    if (fact.mode === 'once' && winners.has(slotOf({ name: fact.name, mode: 'set' }))) continue;
    out.set(fact.name, fact);
  }
  for (const [name, fact] of out) if (fact.value === null) out.delete(name);
  return out;
}
