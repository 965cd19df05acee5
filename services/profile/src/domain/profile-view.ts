import { type Affinity, ageBand, type ActivitySpan, computeTraits, type SpendTotals } from './computed-traits';
import { type ConsentFact, foldConsents } from './consents';
import type { AdjustedOrder } from './order-adjustments';
import { type JsonObject, type JsonValue, jsonEqual } from './json';
import { isPiiTrait } from './pii';
import { effectiveTraits, type TraitFact } from './trait-folding';

/** The stored facts of every profile of one merge group, as the view is built from them. */
export interface GroupFacts {
  /** The live (surviving) profile. */
  readonly profileId: string;
  /** The other profiles of the group (merged into it), sorted. */
  readonly mergedProfileIds: readonly string[];
  readonly traits: readonly TraitFact[];
  readonly consents: readonly ConsentFact[];
  readonly spend: readonly SpendTotals[];
  /** The group's orders that refunds or cancellations name (spend counts every order as placed). */
  readonly adjustedOrders?: readonly AdjustedOrder[];
  readonly affinities: readonly Affinity[];
  readonly span: ActivitySpan;
  /** Plaintext of the winning birthday trait (for the age band), when there is one. */
  readonly birthday: string | null;
}

/**
 * The unified profile without personal data: what is stored for search, diffed for ProfileChanged
 * and sent as its snapshot. Personal traits appear only as a fingerprint of the fact that holds
 * them (event time and id), so a change is noticed without the value.
 */
export interface ProfileView {
  readonly traits: JsonObject;
  readonly pii: Readonly<Record<string, string>>;
  readonly computed: JsonObject;
  /** purpose -> channel -> { status, at, source } */
  readonly consents: JsonObject;
  readonly mergedProfileIds: readonly string[];
}

/** A changed field: `traits.<name>`, `pii.<name>` (values withheld), `computed.<name>`, `consents.<purpose>.<channel>`, `mergedProfileIds`. */
export interface ViewChange {
  readonly field: string;
  readonly oldValue: JsonValue | undefined;
  readonly newValue: JsonValue | undefined;
  /** Event time of the fact behind the new value (the group's latest event for derived fields). */
  readonly at: number;
  /** Personal values are withheld: old and new value are left out, presence is kept. */
  readonly redacted: boolean;
  readonly hadValue: boolean;
  readonly hasValue: boolean;
}

export function buildView(group: GroupFacts, now: number): ProfileView {
  const winners = effectiveTraits(group.traits);
  const traits: JsonObject = {};
  const pii: Record<string, string> = {};
  for (const name of [...winners.keys()].sort()) {
    const fact = winners.get(name)!;
    if (isPiiTrait(name)) pii[name] = `${fact.at}:${fact.eventId}`;
    else traits[name] = fact.value;
  }
  const consents: Record<string, JsonObject> = {};
  for (const fact of [...foldConsents(group.consents).values()].sort((a, b) => (`${a.purpose}.${a.channel}` < `${b.purpose}.${b.channel}` ? -1 : 1))) {
    (consents[fact.purpose] ??= {})[fact.channel] = { status: fact.granted ? 'granted' : 'revoked', at: new Date(fact.at).toISOString(), source: fact.source };
  }
  return {
    traits,
    pii,
    computed: computeTraits({ span: group.span, spend: group.spend, adjustedOrders: group.adjustedOrders, affinities: group.affinities, ageBand: ageBand(group.birthday, now) }),
    consents,
    mergedProfileIds: [...group.mergedProfileIds],
  };
}

/** The snapshot ProfileChanged carries: everything of the view but the personal traits' fingerprints. */
export function snapshotOf(view: ProfileView | null): JsonObject {
  if (!view) return {};
  return { traits: view.traits, computed: view.computed, consents: view.consents, mergedProfileIds: [...view.mergedProfileIds] };
}

/**
 * What changed from `before` (null: the profile had no view) to `after`, field by field. `times`
 * gives the event time behind each trait's new value; everything else takes `at`.
 */
export function diffViews(before: ProfileView | null, after: ProfileView, times: ReadonlyMap<string, number>, at: number): ViewChange[] {
  const changes: ViewChange[] = [];
  const compare = (prefix: string, a: JsonObject, b: JsonObject, timeOf: (key: string) => number, redacted = false) => {
    for (const key of unionKeys(a, b)) {
      const oldValue = a[key];
      const newValue = b[key];
      if (jsonEqual(oldValue, newValue)) continue;
      changes.push({
        field: `${prefix}.${key}`,
        oldValue: redacted ? undefined : oldValue,
        newValue: redacted ? undefined : newValue,
        at: timeOf(key),
        redacted,
        hadValue: oldValue !== undefined,
        hasValue: newValue !== undefined,
      });
    }
  };
  compare('traits', before?.traits ?? {}, after.traits, (k) => times.get(k) ?? at);
  compare('pii', (before?.pii ?? {}) as JsonObject, after.pii as JsonObject, (k) => times.get(k) ?? at, true);
  compare('computed', before?.computed ?? {}, after.computed, () => at);
  const flatConsents = (c: JsonObject) => {
    const out: JsonObject = {};
    for (const [purpose, channels] of Object.entries(c)) for (const [channel, state] of Object.entries(channels as JsonObject)) out[`${purpose}.${channel}`] = state;
    return out;
  };
  compare('consents', flatConsents(before?.consents ?? {}), flatConsents(after.consents), (k) => {
    const state = flatConsents(after.consents)[k] as JsonObject | undefined;
    return typeof state?.at === 'string' ? Date.parse(state.at) : at;
  });
  const beforeMembers = before?.mergedProfileIds ?? [];
  if (!jsonEqual([...beforeMembers], [...after.mergedProfileIds])) {
    changes.push({ field: 'mergedProfileIds', oldValue: before ? [...beforeMembers] : undefined, newValue: [...after.mergedProfileIds], at, redacted: false, hadValue: before !== null, hasValue: true });
  }
  return changes;
}

function unionKeys(a: JsonObject, b: JsonObject): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}
