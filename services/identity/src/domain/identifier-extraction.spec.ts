import type { IngestedEvent } from '@cdp/contracts';
import { extractIdentifiers, normaliseTypeName } from './identifier-extraction';
import { compileRules, DEFAULT_RULES, validateRules } from './identity-rules';

const rules = compileRules(DEFAULT_RULES, 1);

function ingested(fields: Partial<IngestedEvent>): IngestedEvent {
  return {
    messageId: 'm1',
    type: 'track',
    event: 'Order Completed',
    name: null,
    anonymousId: null,
    userId: null,
    previousId: null,
    groupId: null,
    timestamp: 1_700_000_000_000,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: 1_700_000_000_000,
    sourceId: 'pos-1',
    channel: 'pos',
    context: '{}',
    traits: '{}',
    properties: '{}',
    commerce: null,
    integrations: '{}',
    ...fields,
  };
}

describe('identifiers of an event', () => {
  it('reads ids, traits, context traits and external ids, normalised', () => {
    const { identifiers, skipped } = extractIdentifiers(
      ingested({
        userId: ' u-42 ',
        anonymousId: 'a-1',
        traits: JSON.stringify({ email: ' Ann@Shop.CN ', mobile: '+86 138-0000-0001' }),
        context: JSON.stringify({
          traits: { memberCard: 'M-0007', email: 'ann@shop.cn' },
          externalIds: [
            { id: 'o-123', type: 'wechat_openid', collection: 'users', encoding: 'none' },
            { id: 'LOY-9', type: 'LoyaltyNumber' },
          ],
        }),
      }),
      rules,
    );
    expect(identifiers).toEqual([
      { type: 'user_id', value: 'u-42' },
      { type: 'anonymous_id', value: 'a-1' },
      { type: 'email', value: 'ann@shop.cn' },
      { type: 'phone', value: '+8613800000001' },
      { type: 'member_card', value: 'M-0007' },
      { type: 'wechat_openid', value: 'o-123' },
      { type: 'loyalty_number', value: 'LOY-9' },
    ]);
    expect(skipped).toEqual([]);
  });

  it('skips blocked and unusable values, saying where they were and why', () => {
    const { identifiers, skipped } = extractIdentifiers(
      ingested({
        userId: 'undefined',
        anonymousId: '0000-0000',
        traits: JSON.stringify({ email: 'test@shop.cn', phone: '12345', memberCard: { nested: true } }),
      }),
      rules,
    );
    expect(identifiers).toEqual([]);
    expect(skipped).toEqual([
      { type: 'user_id', path: 'userId', reason: 'blocked_value' },
      { type: 'anonymous_id', path: 'anonymousId', reason: 'blocked_pattern' },
      { type: 'email', path: 'traits.email', reason: 'blocked_pattern' },
      { type: 'phone', path: 'traits.phone', reason: 'invalid_value' },
      { type: 'member_card', path: 'traits.memberCard', reason: 'invalid_value' },
    ]);
  });

  it('ignores custom types when the rules do not accept them', () => {
    const closed = compileRules({ ...DEFAULT_RULES, customTypes: { ...DEFAULT_RULES.customTypes, accept: false } }, 2);
    const { identifiers, skipped } = extractIdentifiers(
      ingested({ anonymousId: 'a-1', context: JSON.stringify({ externalIds: [{ id: 'x', type: 'crm_id' }] }) }),
      closed,
    );
    expect(identifiers).toEqual([{ type: 'anonymous_id', value: 'a-1' }]);
    expect(skipped).toEqual([{ type: 'crm_id', path: 'context.externalIds[0]', reason: 'unknown_type' }]);
  });

  it("reads an alias call's previousId as a user_id or an anonymous_id", () => {
    const { identifiers } = extractIdentifiers(ingested({ type: 'alias', event: null, userId: 'new', previousId: 'old' }), rules);
    expect(identifiers).toEqual([
      { type: 'user_id', value: 'new' },
      { type: 'anonymous_id', value: 'old', alternatives: ['user_id'] },
    ]);
  });

  it('names custom types the way the API spells them', () => {
    expect(normaliseTypeName('WeChat-OpenID')).toBe('we_chat_open_id');
    expect(normaliseTypeName('loyaltyNumber')).toBe('loyalty_number');
    expect(normaliseTypeName('  ')).toBeNull();
    expect(normaliseTypeName('9lives')).toBeNull();
  });
});

describe('identity rules documents', () => {
  it('accepts the defaults', () => {
    expect(validateRules(DEFAULT_RULES)).toEqual({ ok: true, rules: DEFAULT_RULES });
  });

  it('points at every faulty part of a document', () => {
    const result = validateRules({
      ...DEFAULT_RULES,
      types: { user_id: { limit: 0, priority: 1 }, 'Bad-Name': { limit: 1, priority: 1 }, email: { limit: 2, priority: 5, blockedPatterns: ['(unclosed'] } },
      caps: { maxMergesPerProfile: 'many', maxIdentifiersPerProfile: 10 },
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.violations.map((v) => v.path)).toEqual([
      'types.user_id.limit',
      'types.Bad-Name',
      'types.email.blockedPatterns[0]',
      'types.anonymous_id',
      'caps.maxMergesPerProfile',
    ]);
  });

  it('folds blocked values to lower case so matching is case-insensitive', () => {
    const result = validateRules({ ...DEFAULT_RULES, blockedValues: ['TEST', 'test', ' Guest '] });
    expect(result.ok && result.rules.blockedValues).toEqual(['test', 'guest']);
    const compiled = compileRules(result.ok ? result.rules : DEFAULT_RULES, 2);
    expect(compiled.blockReason('user_id', 'Guest')).toBe('blocked_value');
  });
});
