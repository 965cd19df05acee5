import { createHash } from 'node:crypto';

/** Namespace of every id the profile service derives; fixed forever, so a replay derives the same ids. */
export const PROFILE_ID_NAMESPACE = '8d1f6a2c-3b4e-5c7d-9e0f-1a2b3c4d5e6f';

/** RFC 9562 name-based UUID (version 5, SHA-1). */
export function uuidV5(name: string, namespace = PROFILE_ID_NAMESPACE): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A ProfileChanged is identified by its profile and version: a re-run batch derives the same id. */
export const profileChangedId = (profileId: string, version: number) => uuidV5(`profile-changed/${profileId}/${version}`);
