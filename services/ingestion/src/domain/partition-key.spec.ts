import { partitionKeyOf } from './partition-key';

describe('partitionKeyOf', () => {
  it('keys a known customer by userId, so all their devices stay in one order', () => {
    expect(partitionKeyOf({ userId: 'u-1', anonymousId: 'a-1', messageId: 'm-1' })).toBe('u-1');
  });

  it('keys anonymous traffic by anonymousId', () => {
    expect(partitionKeyOf({ userId: null, anonymousId: 'a-1', messageId: 'm-1' })).toBe('a-1');
  });

  it('falls back to the messageId (a group or alias without either)', () => {
    expect(partitionKeyOf({ userId: null, anonymousId: null, messageId: 'm-1' })).toBe('m-1');
  });
});
