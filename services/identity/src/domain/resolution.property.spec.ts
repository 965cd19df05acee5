import fc from 'fast-check';
import type { IngestedEvent } from '@cdp/contracts';
import { GraphModel } from '../../test/support/graph-model';
import { extractIdentifiers } from './identifier-extraction';
import { compileRules, DEFAULT_RULES, type IdentityRulesDocument } from './identity-rules';
import type { EventToResolve } from './resolution';

/**
 * Properties of the resolver over random event sequences: small pools of identifier values make
 * collisions (links, merges, limit breaches, caps) frequent, and the pools include values the default
 * rules block.
 */

const POOLS = {
  userId: ['u1', 'u2', 'u3', 'anonymous', '0'],
  anonymousId: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'null'],
  email: ['ann@shop.cn', 'bob@shop.cn', 'cat@shop.cn', 'test@shop.cn', 'x@example.com'],
  phone: ['+8613800000001', '+8613800000002', '+8613800000003', '+11111111111'],
  memberCard: ['c1', 'c2', 'c3', '-1'],
};

const BLOCKED = new Set(['user_id:anonymous', 'user_id:0', 'anonymous_id:null', 'email:test@shop.cn', 'email:x@example.com', 'phone:+8611111111111', 'member_card:-1']);

const rawEvent = fc.record({
  userId: fc.option(fc.constantFrom(...POOLS.userId), { nil: null }),
  anonymousId: fc.constantFrom(...POOLS.anonymousId),
  email: fc.option(fc.constantFrom(...POOLS.email), { nil: undefined }),
  phone: fc.option(fc.constantFrom(...POOLS.phone), { nil: undefined }),
  memberCard: fc.option(fc.constantFrom(...POOLS.memberCard), { nil: undefined }),
});

type RawEvent = typeof rawEvent extends fc.Arbitrary<infer T> ? T : never;

function ingested(raw: RawEvent, i: number): IngestedEvent {
  const traits: Record<string, string> = {};
  if (raw.email) traits.email = raw.email;
  if (raw.phone) traits.phone = raw.phone;
  if (raw.memberCard) traits.memberCard = raw.memberCard;
  return {
    messageId: `m${i}`,
    type: 'identify',
    event: null,
    name: null,
    anonymousId: raw.anonymousId,
    userId: raw.userId,
    previousId: null,
    groupId: null,
    timestamp: 1_700_000_000_000 + i * 997,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: 1_700_000_000_000 + i * 997,
    sourceId: 'src',
    channel: 'web',
    context: '{}',
    traits: JSON.stringify(traits),
    properties: '{}',
    commerce: null,
    integrations: '{}',
  };
}

const rulesArb = fc.oneof(
  fc.constant(DEFAULT_RULES),
  fc.record({ email: fc.integer({ min: 1, max: 3 }), anonymous: fc.integer({ min: 1, max: 3 }), merges: fc.integer({ min: 1, max: 4 }), ids: fc.integer({ min: 3, max: 8 }) }).map(
    (r): IdentityRulesDocument => ({
      ...DEFAULT_RULES,
      types: {
        ...DEFAULT_RULES.types,
        email: { ...DEFAULT_RULES.types.email, limit: r.email },
        anonymous_id: { ...DEFAULT_RULES.types.anonymous_id, limit: r.anonymous },
      },
      caps: { maxMergesPerProfile: r.merges, maxIdentifiersPerProfile: r.ids },
    }),
  ),
);

/** Events as the resolver gets them (the value stands in for its blind index); events without a usable identifier are left out, as the service dead-letters them. */
function toResolve(raws: RawEvent[], document: IdentityRulesDocument): EventToResolve[] {
  const rules = compileRules(document, 1);
  return raws.flatMap((raw, i) => {
    const event = ingested(raw, i);
    const { identifiers } = extractIdentifiers(event, rules);
    if (identifiers.length === 0) return [];
    return [{ eventId: event.messageId, occurredAt: event.timestamp, identifiers: identifiers.map((id) => ({ type: id.type, ref: `${id.type}:${id.value}` })) }];
  });
}

function chunk<T>(items: T[], sizes: number[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (let i = 0; at < items.length; i++) {
    const size = sizes.length > 0 ? sizes[i % sizes.length] : items.length;
    out.push(items.slice(at, at + size));
    at += size;
  }
  return out;
}

const scenario = fc.record({
  rules: rulesArb,
  events: fc.array(rawEvent, { minLength: 1, maxLength: 60 }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 6 }),
});

describe('identity resolution properties', () => {
  it('keeps every identifier on exactly one live profile, within the limits, never linking a blocked value', () => {
    fc.assert(
      fc.property(scenario, ({ rules, events, batchSizes }) => {
        const compiled = compileRules(rules, 1);
        const model = new GraphModel(compiled);
        for (const batch of chunk(toResolve(events, rules), batchSizes)) {
          const { resolutions } = model.resolve(batch);
          for (const [ref, identifier] of model.identifiers) {
            expect(BLOCKED.has(ref)).toBe(false);
            expect(model.profiles.get(identifier.owner)?.status).toBe('live');
          }
          for (const [profileId, refs] of model.partition()) {
            const perType = new Map<string, number>();
            for (const ref of refs) {
              const type = model.identifiers.get(ref)!.type;
              perType.set(type, (perType.get(type) ?? 0) + 1);
            }
            for (const [type, count] of perType) expect({ profileId, type, count }).toEqual({ profileId, type, count: Math.min(count, compiled.ruleOf(type)!.limit) });
            expect(refs.length).toBeLessThanOrEqual(rules.caps.maxIdentifiersPerProfile);
            expect(model.profiles.get(profileId)!.mergeCount).toBeLessThanOrEqual(rules.caps.maxMergesPerProfile);
          }
          for (const r of resolutions) {
            expect(model.profiles.get(r.profileId)?.status).toBe('live');
            for (const id of r.identifiers) expect(model.identifiers.get(id.ref)?.owner).toBe(r.profileId);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('builds the same graph whatever the batch boundaries (replaying rebuilds the same graph)', () => {
    fc.assert(
      fc.property(scenario, fc.array(fc.integer({ min: 1, max: 12 }), { maxLength: 6 }), ({ rules, events, batchSizes }, otherSizes) => {
        const input = toResolve(events, rules);
        const a = new GraphModel(compileRules(rules, 1), deterministicIds());
        const b = new GraphModel(compileRules(rules, 1), deterministicIds());
        for (const batch of chunk(input, batchSizes)) a.resolve(batch);
        for (const batch of chunk(input, otherSizes)) b.resolve(batch);
        expect(b.partition()).toEqual(a.partition());
      }),
      { numRuns: 300 },
    );
  });

  it('restores the earlier partition of identifiers when a merge is split', () => {
    fc.assert(
      fc.property(scenario, rawEvent, ({ rules, events, batchSizes }, linking) => {
        const model = new GraphModel(compileRules(rules, 1), deterministicIds());
        for (const batch of chunk(toResolve(events, rules), batchSizes)) model.resolve(batch);
        const before = model.partition();
        const known = new Set(model.identifiers.keys());
        const merges = model.merges.size;
        const [last] = toResolve([linking], rules).map((e) => ({ ...e, eventId: 'linking', occurredAt: 1_800_000_000_000 }));
        if (!last) return;
        model.resolve([last]);
        if (model.merges.size === merges) return;
        model.split([...model.merges.keys()].at(-1)!);
        const after = new Map<string, string[]>();
        for (const [id, refs] of model.partition()) {
          const earlier = refs.filter((ref) => known.has(ref));
          if (earlier.length > 0) after.set(id, earlier);
        }
        expect(after).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });
});

/** Ids derived from the event, as in the service: the same input gives the same ids. */
function deterministicIds() {
  return { profileId: (eventId: string) => `profile-of-${eventId}`, mergeId: (eventId: string) => `merge-of-${eventId}` };
}
