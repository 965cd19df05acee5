import { piiScope } from './pii-scrubber';
import { ageAt, ageBandOf, profileAttributes, type AttributeSource } from './profile-attributes';

const at = Date.UTC(2026, 5, 15);
const scope = piiScope(['ada@example.com']);
const identify = (traits: Record<string, unknown>, extra: Partial<AttributeSource> = {}): AttributeSource => ({
  type: 'identify',
  traits,
  contextTraits: {},
  channel: 'web',
  occurredAt: at,
  ...extra,
});

describe('profile attributes', () => {
  it('given an identify with a birthday, gender and address, keeps the age band and coarse location only', () => {
    const attributes = profileAttributes(
      identify({ birthday: '1990-06-16', gender: 'F', address: { street: '1 Main St', city: 'Shanghai', state: 'Shanghai', country: 'CN' } }),
      scope,
    );
    expect(attributes).toEqual([
      { attribute: 'age_band', value: '35-44' },
      { attribute: 'gender', value: 'female' },
      { attribute: 'country', value: 'CN' },
      { attribute: 'region', value: 'Shanghai' },
      { attribute: 'city', value: 'Shanghai' },
      { attribute: 'channel', value: 'web' },
    ]);
  });

  it('computes the age on the day of the event, in whole years', () => {
    expect(ageAt('1990-06-16', at)).toBe(35);
    expect(ageAt('1990-06-15', at)).toBe(36);
    expect(ageAt('2030-01-01', at)).toBeNull();
    expect(ageAt('sometime', at)).toBeNull();
    expect([17, 18, 24, 25, 64, 65, 131].map(ageBandOf)).toEqual(['0-17', '18-24', '18-24', '25-34', '55-64', '65+', null]);
  });

  it('unsets an attribute whose trait is null, and says nothing about absent traits', () => {
    expect(profileAttributes(identify({ gender: null, age: 30 }, { channel: null }), scope)).toEqual([
      { attribute: 'age_band', value: '25-34' },
      { attribute: 'gender', value: '' },
    ]);
    expect(profileAttributes(identify({ plan: 'gold' }, { channel: null }), scope)).toEqual([]);
  });

  it('reads context.traits of any call, and lets identify traits win over them', () => {
    const track = identify({}, { type: 'track', contextTraits: { city: 'Berlin' }, channel: 'app' });
    expect(profileAttributes(track, scope)).toEqual([{ attribute: 'city', value: 'Berlin' }]);
    const both = identify({ city: 'Paris' }, { contextTraits: { city: 'Berlin' }, channel: null });
    expect(profileAttributes(both, scope)).toEqual([{ attribute: 'city', value: 'Paris' }]);
  });

  it('does not take an email or an identifier for a place', () => {
    expect(profileAttributes(identify({ city: 'ada@example.com' }, { channel: null }), scope)).toEqual([]);
  });

  it('maps gender spellings to female, male or other', () => {
    const gender = (value: string) => profileAttributes(identify({ gender: value }, { channel: null }), scope);
    expect([gender('Male'), gender('女'), gender('non-binary'), gender('unknown')]).toEqual([
      [{ attribute: 'gender', value: 'male' }],
      [{ attribute: 'gender', value: 'female' }],
      [{ attribute: 'gender', value: 'other' }],
      [{ attribute: 'gender', value: '' }],
    ]);
  });
});
