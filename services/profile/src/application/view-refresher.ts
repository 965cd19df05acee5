import { Inject, Injectable } from '@nestjs/common';
import type { FieldChange, ProfileChanged } from '@cdp/contracts';
import { TOPICS } from '@cdp/contracts';
import type { OutgoingEvent, SqlExecutor } from '@cdp/kafka';
import { type AdjustedOrder, type Affinity, type ActivitySpan, buildView, type ConsentFact, diffViews, effectiveTraits, type JsonValue, snapshotOf, type SpendTotals, type TraitFact, type ViewChange } from '../domain';
import { ProjectionRepository, type StoredTrait } from '../persistence/projection.repository';
import { PiiVault } from './pii-vault';
import { profileChangedId } from './profile-ids';
import { type Clock, PROFILE_CLOCK } from './profile.tokens';

/** Trait names that may hold the birthday the age band is computed from, in order of preference. */
const BIRTHDAY_TRAITS = ['birthday', 'birthdate', 'birth_date', 'dateOfBirth'];

/** What caused a refresh: the last event (or merge) of the batch that touched the profile. */
export interface RefreshCause {
  readonly eventId: string;
  readonly at: number;
}

/**
 * Every fact of a profile the batch created, as the batch wrote them: its group is itself and it had
 * no stored facts, so its view is built from these without reading anything back. Trait values are
 * plaintext here (personal ones too: the view only fingerprints them, and the birthday feeds the age band).
 */
export interface CreatedProfileFacts {
  readonly traits: readonly TraitFact[];
  readonly consents: readonly ConsentFact[];
  readonly spend: readonly SpendTotals[];
  readonly adjustedOrders: readonly AdjustedOrder[];
  readonly affinities: readonly Affinity[];
  readonly span: ActivitySpan;
}

/** A redacted value in a FieldChange: the field has a value, which the topic does not carry. */
const REDACTED = JSON.stringify({ $redacted: true });

/**
 * Rebuilds the unified views of live profiles from the facts of their whole merge group, diffs each
 * against the stored view, saves those that changed with the next version and queues their
 * ProfileChanged (the full snapshot, changed fields with event times) for the outbox.
 */
@Injectable()
export class ViewRefresher {
  constructor(
    private readonly repository: ProjectionRepository,
    private readonly vault: PiiVault,
    @Inject(PROFILE_CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Refreshes the views of the live profiles in `causes`. Profiles in `created` were created by the
   * caller's statement (their rows are locked and at version 1, see touchProfiles) and are built from
   * the given facts; the others are locked and rebuilt from their group's stored facts.
   */
  async refresh(
    tx: SqlExecutor,
    causes: ReadonlyMap<string, RefreshCause>,
    emit: (...events: OutgoingEvent[]) => void,
    created: ReadonlyMap<string, CreatedProfileFacts> = new Map(),
  ): Promise<number> {
    const now = this.clock();
    const saved: Array<{ profileId: string; version: number; view: ReturnType<typeof buildView> }> = [];
    for (const [profileId, facts] of created) {
      const view = buildView({ profileId, mergedProfileIds: [], ...facts, birthday: birthdayOf(facts.traits) }, now);
      const cause = causes.get(profileId) ?? { eventId: profileId, at: now };
      const times = new Map([...effectiveTraits(facts.traits)].map(([name, fact]) => [name, fact.at]));
      saved.push({ profileId, version: 1, view });
      emit(profileChanged(profileId, 1, diffViews(null, view, times, cause.at).map(fieldChange), JSON.stringify(snapshotOf(view)), cause.eventId, now));
    }
    const rest = [...causes.keys()].filter((id) => !created.has(id));
    return this.rebuild(tx, rest, causes, emit, now, saved);
  }

  private async rebuild(
    tx: SqlExecutor,
    ids: readonly string[],
    causes: ReadonlyMap<string, RefreshCause>,
    emit: (...events: OutgoingEvent[]) => void,
    now: number,
    saved: Array<{ profileId: string; version: number; view: ReturnType<typeof buildView> }>,
  ): Promise<number> {
    const locked = await this.repository.lockLive(tx, ids);
    const live = [...locked].filter(([id, row]) => row.liveId === id).map(([id]) => id);
    if (live.length === 0) {
      await this.repository.saveViews(tx, saved);
      return saved.length;
    }
    const { members, traits, consents, spend, affinities, adjustedOrders, views: before } = await this.repository.groupFacts(tx, live, BIRTHDAY_TRAITS);
    const groupOf = new Map<string, string[]>(live.map((id) => [id, []]));
    for (const m of members) groupOf.get(m.liveId)?.push(m.profileId);
    const byMember = <T extends { profileId: string }>(rows: readonly T[]) => {
      const out = new Map<string, T[]>();
      for (const row of rows) {
        const list = out.get(row.profileId);
        if (list) list.push(row);
        else out.set(row.profileId, [row]);
      }
      return out;
    };
    const traitsBy = byMember(traits);
    const consentsBy = byMember(consents);
    const spendBy = byMember(spend);
    const affinitiesBy = byMember(affinities);
    const adjustedBy = byMember(adjustedOrders);
    const memberBy = new Map(members.map((m) => [m.profileId, m]));
    const groupRows = <T>(liveId: string, by: Map<string, T[]>) => groupOf.get(liveId)!.flatMap((id) => by.get(id) ?? []);

    const groupTraits = new Map(live.map((id) => [id, groupRows(id, traitsBy) as StoredTrait[]]));
    const birthdays = await this.birthdays(tx, groupTraits);
    const versions = new Map<string, number>();
    for (const liveId of live) {
      const group = groupOf.get(liveId)!;
      const facts = groupTraits.get(liveId)!;
      const spans = group.map((id) => memberBy.get(id)!);
      const firstSeen = spans.map((s) => s.firstSeenAt).filter((v): v is number => v !== null);
      const lastSeen = spans.map((s) => s.lastSeenAt).filter((v): v is number => v !== null);
      const view = buildView(
        {
          profileId: liveId,
          mergedProfileIds: group.filter((id) => id !== liveId).sort(),
          traits: facts,
          consents: groupRows(liveId, consentsBy),
          spend: groupRows(liveId, spendBy),
          adjustedOrders: groupRows(liveId, adjustedBy),
          affinities: groupRows(liveId, affinitiesBy),
          span: { firstSeenAt: firstSeen.length ? Math.min(...firstSeen) : null, lastSeenAt: lastSeen.length ? Math.max(...lastSeen) : null },
          birthday: birthdays.get(liveId) ?? null,
        },
        now,
      );
      const cause = causes.get(liveId) ?? { eventId: liveId, at: now };
      const times = new Map([...effectiveTraits(facts)].map(([name, fact]) => [name, fact.at]));
      const changes = diffViews(before.get(liveId) ?? null, view, times, cause.at);
      if (changes.length === 0) continue;
      const version = locked.get(liveId)!.version + 1;
      versions.set(liveId, version);
      saved.push({ profileId: liveId, version, view });
      emit(profileChanged(liveId, version, changes.map(fieldChange), JSON.stringify(snapshotOf(view)), cause.eventId, now));
    }
    await this.repository.saveViews(tx, saved);
    await this.repository.setVersions(tx, versions);
    return saved.length;
  }

  /** Profiles that stopped being live (merged into another): their view goes, and ProfileChanged says where they went. */
  async mergedAway(tx: SqlExecutor, into: ReadonlyMap<string, { survivorId: string; version: number; cause: RefreshCause }>, emit: (...events: OutgoingEvent[]) => void): Promise<void> {
    if (into.size === 0) return;
    const now = this.clock();
    const versions = new Map<string, number>();
    for (const [profileId, { survivorId, version, cause }] of into) {
      versions.set(profileId, version + 1);
      const change: FieldChange = { field: 'mergedInto', oldValue: null, newValue: JSON.stringify(survivorId), valueTimestamp: cause.at };
      emit(profileChanged(profileId, version + 1, [change], JSON.stringify({ mergedInto: survivorId }), cause.eventId, now));
    }
    await this.repository.deleteViews(tx, [...into.keys()]);
    await this.repository.setVersions(tx, versions);
  }

  /** The plaintext of each group's winning birthday trait (decrypted under its origin's key). */
  private async birthdays(tx: SqlExecutor, groups: ReadonlyMap<string, StoredTrait[]>): Promise<Map<string, string>> {
    const winners = new Map<string, StoredTrait>();
    for (const [liveId, facts] of groups) {
      const effective = effectiveTraits(facts.filter((f) => BIRTHDAY_TRAITS.includes(f.name)));
      const name = BIRTHDAY_TRAITS.find((n) => effective.has(n));
      if (name) winners.set(liveId, effective.get(name) as StoredTrait);
    }
    if (winners.size === 0) return new Map();
    const keys = await this.vault.keysFor(tx, [...winners.values()].map((w) => w.profileId), false);
    const out = new Map<string, string>();
    for (const [liveId, fact] of winners) {
      const plain = fact.valueEnc ? this.vault.open(keys, fact.profileId, { kind: 'trait', name: fact.name, mode: fact.mode }, fact.valueEnc) : typeof fact.value === 'string' ? fact.value : null;
      const parsed = plain === null ? null : (JSON.parse(plain) as JsonValue);
      if (typeof parsed === 'string') out.set(liveId, parsed);
    }
    return out;
  }
}

/** The plaintext birthday among facts whose values are plaintext (see CreatedProfileFacts). */
function birthdayOf(facts: readonly TraitFact[]): string | null {
  const effective = effectiveTraits(facts.filter((f) => BIRTHDAY_TRAITS.includes(f.name)));
  const name = BIRTHDAY_TRAITS.find((n) => effective.has(n));
  const value = name === undefined ? undefined : effective.get(name)!.value;
  return typeof value === 'string' ? value : null;
}

function fieldChange(change: ViewChange): FieldChange {
  const encode = (value: JsonValue | undefined, present: boolean) => (!present ? null : change.redacted ? REDACTED : JSON.stringify(value));
  return {
    field: change.field,
    oldValue: encode(change.oldValue, change.hadValue),
    newValue: encode(change.newValue, change.hasValue),
    valueTimestamp: change.at,
  };
}

function profileChanged(profileId: string, version: number, changes: FieldChange[], traits: string, causeEventId: string, now: number): OutgoingEvent {
  const value: ProfileChanged = {
    id: profileChangedId(profileId, version),
    type: 'ProfileChanged',
    occurredAt: now,
    data: { profileId, version, changes, traits, causeEventId },
    metadata: { correlationId: causeEventId, causationId: causeEventId, producer: 'profile', schemaVersion: 1 },
  };
  return { topic: TOPICS.profileChanged, key: profileId, schema: 'cdp.profile.ProfileChanged', value };
}

