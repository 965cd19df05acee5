import { ROLE_SCOPES } from '../domain/scopes';
import type { TokenEvent } from '../domain/access-token';
import { TokenRegistry } from './token-registry';

const event = (tokenId: string, createdAt: number): TokenEvent => ({
  type: 'AccessTokenIssued',
  token: { tokenId, name: tokenId, tokenHash: `hash-${tokenId}`, role: 'operator', scopes: ROLE_SCOPES.operator, createdAt, createdBy: 'bootstrap', expiresAt: null, revokedAt: null, revokedBy: null },
});

describe('TokenRegistry', () => {
  it('is caught up once every non-empty partition is read to where it ended at start', () => {
    const registry = new TokenRegistry();
    expect(registry.caughtUp).toBe(false);
    registry.startedAt(new Map([[0, { low: 0, high: 3 }], [1, { low: 0, high: 0 }], [2, { low: 5, high: 5 }]]));
    expect(registry.caughtUp).toBe(false);
    expect(registry.backlog()).toEqual({ 0: 3, 1: 0, 2: 0 });
    registry.advance(0, 2);
    expect(registry.caughtUp).toBe(false);
    registry.advance(0, 3);
    expect(registry.caughtUp).toBe(true);
  });

  it('resolves a wait once the awaited offset has been applied, and not before', async () => {
    const registry = new TokenRegistry();
    let seen: boolean | undefined;
    const waiting = registry.waitUntilSeen(1, 7, 60_000).then((value) => (seen = value));
    registry.advance(1, 7);
    await Promise.resolve();
    expect(seen).toBeUndefined();
    registry.advance(1, 8);
    await waiting;
    expect(seen).toBe(true);
    expect(await registry.waitUntilSeen(1, 3, 60_000)).toBe(true);
  });

  it('gives up a wait after its timeout, and on close', async () => {
    const registry = new TokenRegistry();
    expect(await registry.waitUntilSeen(0, 0, 1)).toBe(false);
    const pending = registry.waitUntilSeen(0, 0, 60_000);
    registry.close();
    expect(await pending).toBe(false);
  });

  it('finds tokens by hash and lists them newest first', () => {
    const registry = new TokenRegistry();
    registry.apply(event('old', 1));
    registry.apply(event('new', 2));
    expect(registry.findByHash('hash-old')?.tokenId).toBe('old');
    expect(registry.findByHash('hash-none')).toBeUndefined();
    expect(registry.list().map((t) => t.tokenId)).toEqual(['new', 'old']);
  });
});
