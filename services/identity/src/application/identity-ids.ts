import { createHash } from 'node:crypto';
import type { ResolutionIds } from '../domain';

/**
 * Namespace of every id identity derives. Fixed forever: profile and merge ids are name-based on the
 * event that created them, so replaying the input into an empty graph gives the same ids.
 */
export const IDENTITY_ID_NAMESPACE = '3f0c1a8e-6b2d-5e47-9a1c-7d4e2b9f0c6a';

export const identityIds: ResolutionIds = {
  profileId: (eventId) => uuidV5(`profile/${eventId}`),
  mergeId: (eventId) => uuidV5(`merge/${eventId}`),
};

export function splitId(mergeId: string): string {
  return uuidV5(`split/${mergeId}`);
}

/** RFC 9562 name-based UUID (version 5, SHA-1) in IDENTITY_ID_NAMESPACE. */
export function uuidV5(name: string, namespace = IDENTITY_ID_NAMESPACE): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
