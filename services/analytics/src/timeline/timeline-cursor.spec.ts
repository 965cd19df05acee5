import { decodeCursor, encodeCursor } from './timeline-cursor';

describe('timeline cursor', () => {
  it('gives back the position it was made from', () => {
    const position = { occurredAt: 1_767_225_600_123, eventId: "evt-1'; DROP" };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it('is refused when it is not one the service wrote', () => {
    expect(decodeCursor('not a cursor!')).toBeNull();
    expect(decodeCursor(Buffer.from('{"a":1}').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('[1.5,"x"]').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('[1,""]').toString('base64url'))).toBeNull();
  });
});
