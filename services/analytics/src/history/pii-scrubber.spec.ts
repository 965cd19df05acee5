import { piiScope, REDACTED, scrubPayload, scrubText } from './pii-scrubber';

const scope = piiScope(['user-42', 'ada@example.com', '+4915112345678', 'CARD-0042']);
const scrub = (value: unknown, kind: 'traits' | 'properties' | 'context') => JSON.parse(scrubPayload(JSON.stringify(value), kind, scope)) as unknown;

describe('PII scrubbing', () => {
  it('drops contact, name, address, network and identifier keys at any depth, whatever their spelling', () => {
    const traits = {
      email: 'ada@example.com',
      Phone: '+4915112345678',
      first_name: 'Ada',
      'Last Name': 'Lovelace',
      name: 'Ada Lovelace',
      birthday: '1990-12-10',
      plan: 'gold',
      nested: { ip_address: '203.0.113.9', memberCard: 'CARD-0042', visits: 3 },
    };
    expect(scrub(traits, 'traits')).toEqual({ plan: 'gold', nested: { visits: 3 } });
  });

  it('keeps the coarse parts of an address and drops the street and postal code', () => {
    const traits = { address: { street: '12 Analytical Row', postalCode: 'N1 9GU', city: 'London', state: 'England', country: 'GB' } };
    expect(scrub(traits, 'traits')).toEqual({ address: { city: 'London', state: 'England', country: 'GB' } });
    expect(scrub({ address: '12 Analytical Row, London' }, 'traits')).toEqual({});
  });

  it("keeps a product's or page's name in properties, but not a person's in traits", () => {
    expect(scrub({ name: 'Blue Shoes', products: [{ name: 'Blue Shoes', price: 10 }] }, 'properties')).toEqual({
      name: 'Blue Shoes',
      products: [{ name: 'Blue Shoes', price: 10 }],
    });
    expect(scrub({ name: 'Ada Lovelace' }, 'traits')).toEqual({});
  });

  it('treats context.traits as traits, and drops the IP, device id, external ids and invalid identifiers of a context', () => {
    const context = {
      ip: '198.51.100.7',
      traits: { name: 'Ada', email: 'ada@example.com', gender: 'female' },
      device: { id: 'device-123', manufacturer: 'Apple', advertisingId: 'ad-1' },
      externalIds: [{ id: 'x', type: 'crm_id' }],
      cdp: { originalEvent: 'order_completed', invalidIdentifiers: { 'traits.email': 'ada@@example' } },
      library: { name: 'analytics.js', version: '4.1.0' },
      locale: 'en-GB',
    };
    expect(scrub(context, 'context')).toEqual({
      traits: { gender: 'female' },
      device: { manufacturer: 'Apple' },
      cdp: { originalEvent: 'order_completed' },
      library: { name: 'analytics.js', version: '4.1.0' },
      locale: 'en-GB',
    });
  });

  it("drops any value equal to one of the event's identifier values, under any key", () => {
    expect(scrub({ crm: 'user-42', loyalty: ['card-0042', 'other'], referrer: 'USER-42 ' }, 'properties')).toEqual({ loyalty: ['other'] });
  });

  it('replaces email addresses inside longer text, URL-encoded ones too', () => {
    expect(scrubText('https://shop.example/reset?email=grace%40example.org&x=1', scope)).toBe(`https://shop.example/reset?email=${REDACTED}&x=1`);
    expect(scrubText('contact grace@example.org today', scope)).toBe(`contact ${REDACTED} today`);
  });

  it("replaces phone numbers and the event's longer identifier values inside text", () => {
    expect(scrubText('call +49 151 1234 5678 today', scope)).toBe(`call ${REDACTED} today`);
    expect(scrubText('card card-0042 on file', scope)).toBe(`card ${REDACTED} on file`);
    expect(scrubText('order 42 of user-42x', scope)).toBe(`order 42 of ${REDACTED}x`);
  });

  it('drops values that are IP addresses or international phone numbers, and keys that contain an email', () => {
    expect(scrub({ a: '2001:db8::1', b: '+1 (415) 555-0100', c: '10:30:00', d: '1234567', 'grace@example.org': true }, 'properties')).toEqual({
      c: '10:30:00',
      d: '1234567',
    });
  });

  it('turns text that is not a JSON object into {}', () => {
    expect(scrubPayload('not json', 'properties', scope)).toBe('{}');
    expect(scrubPayload('[1,2]', 'properties', scope)).toBe('{}');
  });
});
