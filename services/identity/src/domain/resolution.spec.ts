import { GraphModel } from '../../test/support/graph-model';
import { compileRules, DEFAULT_RULES, type IdentityRulesDocument } from './identity-rules';
import type { EventToResolve } from './resolution';

const rules = compileRules(DEFAULT_RULES, 1);
let n = 0;

/** An event carrying identifiers written `type:value` (the value stands in for its blind index). */
function event(...identifiers: string[]): EventToResolve {
  n += 1;
  return {
    eventId: `e${n}`,
    occurredAt: 1_700_000_000_000 + n * 1000,
    identifiers: identifiers.map((id) => ({ type: id.slice(0, id.indexOf(':')), ref: id })),
  };
}

function given(...events: EventToResolve[][]): GraphModel {
  const model = new GraphModel(rules);
  for (const batch of events) model.resolve(batch);
  return model;
}

function kinds(model: GraphModel, from = 0): string[] {
  return model.changes.slice(from).map((c) => c.kind);
}

beforeEach(() => {
  n = 0;
});

describe('identity resolution', () => {
  it('gives an event no identifier of which is known a new profile holding all of them', () => {
    const model = given();
    const { resolutions } = model.resolve([event('anonymous_id:a1', 'email:x@shop.cn')]);
    expect(resolutions).toEqual([
      { eventId: 'e1', profileId: 'p1', profileCreated: true, identifiers: [{ type: 'anonymous_id', ref: 'anonymous_id:a1' }, { type: 'email', ref: 'email:x@shop.cn' }] },
    ]);
    expect(model.groups()).toEqual(['anonymous_id:a1,email:x@shop.cn']);
  });

  it('attaches the new identifiers of an event to the one profile it matches', () => {
    const model = given([event('anonymous_id:a1')]);
    const { resolutions } = model.resolve([event('anonymous_id:a1', 'user_id:u1')]);
    expect(resolutions[0]).toMatchObject({ profileId: 'p1', profileCreated: false });
    expect(model.groups()).toEqual(['anonymous_id:a1,user_id:u1']);
    const link = model.changes.at(-1);
    expect(link).toMatchObject({ kind: 'IdentifierLinked', ref: 'user_id:u1', via: ['anonymous_id:a1'] });
  });

  it('merges the profiles an event matches into the oldest one', () => {
    // Browsing anonymously (p1), then a POS purchase with the member card and phone (p2), then a login
    // on the web that carries both the cookie and the phone.
    const model = given([event('anonymous_id:a1')], [event('member_card:c1', 'phone:+8613800000001')]);
    const { resolutions } = model.resolve([event('anonymous_id:a1', 'phone:+8613800000001', 'user_id:u1')]);
    expect(resolutions[0].profileId).toBe('p1');
    expect(model.groups()).toEqual(['anonymous_id:a1,member_card:c1,phone:+8613800000001,user_id:u1']);
    expect(model.changes.find((c) => c.kind === 'ProfilesMerged')).toMatchObject({
      survivorId: 'p1',
      mergedIds: ['p2'],
      rule: 'anonymous_id+phone',
      eventId: 'e3',
    });
    expect(model.profiles.get('p2')).toMatchObject({ status: 'merged', mergedInto: 'p1' });
  });

  it('picks the survivor by event time, not by the order events arrive in', () => {
    const late = { ...event('email:old@shop.cn'), occurredAt: 1_000 };
    const model = given([event('phone:+8613800000002')], [late]);
    model.resolve([event('email:old@shop.cn', 'phone:+8613800000002')]);
    expect(model.changes.find((c) => c.kind === 'ProfilesMerged')).toMatchObject({ survivorId: 'p2', mergedIds: ['p1'] });
  });

  it('drops the lowest-priority identifier when a second user_id would join a profile (a shared device)', () => {
    const model = given([event('anonymous_id:tablet', 'user_id:mum')]);
    const { resolutions } = model.resolve([event('anonymous_id:tablet', 'user_id:son')]);
    expect(resolutions[0]).toMatchObject({ profileId: 'p2', profileCreated: true, identifiers: [{ type: 'user_id', ref: 'user_id:son' }] });
    expect(model.groups()).toEqual(['anonymous_id:tablet,user_id:mum', 'user_id:son']);
    expect(model.changes.find((c) => c.kind === 'IdentifierDropped')).toMatchObject({
      ref: 'anonymous_id:tablet',
      reason: 'limit',
      detail: 'user_id',
      profileIds: ['p2'],
    });
  });

  it('does not merge two customers whose user_ids differ, keeping the event with the stronger identifier', () => {
    const model = given([event('user_id:u1')], [event('user_id:u2', 'email:shared@family.cn')]);
    const before = model.changes.length;
    const { resolutions } = model.resolve([event('user_id:u1', 'email:shared@family.cn')]);
    expect(resolutions[0].profileId).toBe('p1');
    expect(model.groups()).toEqual(['email:shared@family.cn,user_id:u2', 'user_id:u1']);
    expect(kinds(model, before)).toEqual(['IdentifierDropped']);
  });

  it('keeps only as many identifiers of a type as the limit allows when one event brings more', () => {
    const strict: IdentityRulesDocument = { ...DEFAULT_RULES, types: { ...DEFAULT_RULES.types, email: { ...DEFAULT_RULES.types.email, limit: 1 } } };
    const model = new GraphModel(compileRules(strict, 2));
    model.resolve([event('user_id:u1', 'email:a@shop.cn', 'email:b@shop.cn')]);
    expect(model.groups()).toEqual(['email:a@shop.cn,user_id:u1']);
    expect(model.changes[0]).toMatchObject({ kind: 'IdentifierDropped', ref: 'email:b@shop.cn', detail: 'email' });
  });

  it('lets a profile that is over a tightened limit keep resolving events', () => {
    const model = given([event('user_id:u1', 'email:a@shop.cn', 'email:b@shop.cn')]);
    const tightened = compileRules({ ...DEFAULT_RULES, types: { ...DEFAULT_RULES.types, email: { ...DEFAULT_RULES.types.email, limit: 1 } } }, 2);
    const later = new GraphModel(tightened);
    later.identifiers.clear();
    for (const [ref, i] of model.identifiers) later.identifiers.set(ref, i);
    for (const [id, p] of model.profiles) later.profiles.set(id, p);
    const { resolutions } = later.resolve([event('email:a@shop.cn', 'anonymous_id:a9')]);
    expect(resolutions[0].profileId).toBe('p1');
    expect(later.changes.map((c) => c.kind)).toEqual(['IdentifierLinked']);
  });

  it('reads an alias previousId as the user_id the graph knows, else as an anonymous_id', () => {
    const model = given([event('user_id:old-login')]);
    const alias: EventToResolve = {
      eventId: 'alias-1',
      occurredAt: 1_700_000_100_000,
      identifiers: [
        { type: 'user_id', ref: 'user_id:new-login' },
        { type: 'anonymous_id', ref: 'anonymous_id:old-login', alternatives: [{ type: 'user_id', ref: 'user_id:old-login' }] },
      ],
    };
    const { resolutions } = model.resolve([alias]);
    // Two user_ids cannot share a profile: the limit keeps the two accounts apart, and the call belongs
    // to the login it names as userId.
    expect(resolutions[0]).toMatchObject({ profileId: 'p2', identifiers: [{ type: 'user_id', ref: 'user_id:new-login' }] });
    expect(model.changes.at(-3)).toMatchObject({ kind: 'IdentifierDropped', ref: 'user_id:old-login', detail: 'user_id' });
    const fresh = given();
    const anonymous = fresh.resolve([{ ...alias, eventId: 'alias-2' }]);
    expect(anonymous.resolutions[0].identifiers.map((i) => i.ref).sort()).toEqual(['anonymous_id:old-login', 'user_id:new-login']);
  });

  it('stops a merge that would break the merge cap, resolves the event to the oldest profile and says so', () => {
    const capped = compileRules({ ...DEFAULT_RULES, caps: { maxMergesPerProfile: 1, maxIdentifiersPerProfile: 1000 } }, 3);
    const model = new GraphModel(capped);
    model.resolve([event('email:a@shop.cn')]);
    model.resolve([event('phone:+8613800000003')]);
    model.resolve([event('member_card:c3')]);
    model.resolve([event('email:a@shop.cn', 'phone:+8613800000003')]);
    const before = model.changes.length;
    const { resolutions } = model.resolve([event('email:a@shop.cn', 'member_card:c3', 'anonymous_id:a3')]);
    expect(resolutions[0].profileId).toBe('p1');
    expect(model.changes.slice(before)).toEqual([
      expect.objectContaining({ kind: 'MergeCapped', survivorId: 'p1', profileIds: ['p1', 'p3'], cap: 'merges', wouldBe: 2, limit: 1 }),
      expect.objectContaining({ kind: 'IdentifierLinked', profileId: 'p1', ref: 'anonymous_id:a3' }),
    ]);
    expect(model.identifiers.get('member_card:c3')!.owner).toBe('p3');
  });

  it('drops identifiers beyond the identifier cap instead of linking them', () => {
    const capped = compileRules({ ...DEFAULT_RULES, caps: { maxMergesPerProfile: 100, maxIdentifiersPerProfile: 2 } }, 4);
    const model = new GraphModel(capped);
    model.resolve([event('user_id:u1', 'email:a@shop.cn')]);
    model.resolve([event('user_id:u1', 'phone:+8613800000004')]);
    expect(model.groups()).toEqual(['email:a@shop.cn,user_id:u1']);
    expect(model.changes.at(-1)).toMatchObject({ kind: 'IdentifierDropped', reason: 'identifier_cap', ref: 'phone:+8613800000004' });
  });

  it('resolves every event of a batch to the profile the batch leaves live', () => {
    const model = given();
    const { resolutions } = model.resolve([event('anonymous_id:a1'), event('email:x@shop.cn'), event('anonymous_id:a1', 'email:x@shop.cn')]);
    expect(resolutions.map((r) => [r.profileId, r.profileCreated])).toEqual([
      ['p1', true],
      ['p1', false],
      ['p1', false],
    ]);
    expect(model.changes.find((c) => c.kind === 'ProfilesMerged')).toMatchObject({ survivorId: 'p1', mergedIds: ['p2'] });
  });
});

describe('undoing a merge', () => {
  it('gives each merged profile back the identifiers it brought', () => {
    const model = given([event('anonymous_id:a1', 'email:a@shop.cn')], [event('member_card:c1')]);
    const before = model.groups();
    model.resolve([event('email:a@shop.cn', 'member_card:c1')]);
    const [mergeId] = model.merges.keys();
    model.split(mergeId);
    expect(model.groups()).toEqual(before);
    expect(model.profiles.get('p2')).toMatchObject({ status: 'live', mergedInto: null });
  });

  it('moves identifiers linked after the merge with the side whose identifiers linked them', () => {
    const model = given([event('user_id:u1')], [event('member_card:c1')]);
    model.resolve([event('user_id:u1', 'member_card:c1')]);
    model.resolve([event('member_card:c1', 'phone:+8613800000005')]); // seen only with the card
    model.resolve([event('user_id:u1', 'email:u1@shop.cn')]); // seen only with the login
    const [mergeId] = model.merges.keys();
    const moved = model.split(mergeId);
    expect(moved.get('p2')!.sort()).toEqual(['member_card:c1', 'phone:+8613800000005']);
    expect(model.groups()).toEqual(['email:u1@shop.cn,user_id:u1', 'member_card:c1,phone:+8613800000005']);
  });

  it('keeps with the survivor what was linked by evidence from both sides', () => {
    const model = given([event('user_id:u1')], [event('member_card:c1')]);
    model.resolve([event('user_id:u1', 'member_card:c1', 'email:both@shop.cn')]);
    const [mergeId] = model.merges.keys();
    model.split(mergeId);
    expect(model.groups()).toEqual(['email:both@shop.cn,user_id:u1', 'member_card:c1']);
  });
});
