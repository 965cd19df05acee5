import { Injectable } from '@nestjs/common';
import { BlindIndex, DataKeyStore, decryptField, encryptField } from '@cdp/security';
import type { SqlExecutor } from '@cdp/kafka';
import type { JsonValue } from '../domain';

/** Where an encrypted value lives: the AAD binds each ciphertext to its profile, table and slot. */
export type PiiSlot =
  | { readonly kind: 'trait'; readonly name: string; readonly mode: string }
  | { readonly kind: 'identifier'; readonly type: string; readonly hash: string }
  | { readonly kind: 'address'; readonly hash: string }
  | { readonly kind: 'interaction'; readonly id: string };

function aad(profileId: string, slot: PiiSlot): string {
  switch (slot.kind) {
    case 'trait':
      return `profile/${profileId}/trait/${slot.mode}/${slot.name}`;
    case 'identifier':
      return `profile/${profileId}/identifier/${slot.type}/${slot.hash}`;
    case 'address':
      return `profile/${profileId}/address/${slot.hash}`;
    case 'interaction':
      return `profile/${profileId}/interaction/${slot.id}`;
    default: {
      const unreachable: never = slot;
      throw new Error(`unknown PII slot ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Personal data at rest: values encrypted (AES-256-GCM) under the data key of the profile they are
 * attributed to, created in the caller's transaction; blind indexes (keyed HMAC, type-scoped) for
 * lookups. Shredding a profile's data key leaves every ciphertext of it unreadable.
 */
@Injectable()
export class PiiVault {
  constructor(
    readonly dataKeys: DataKeyStore,
    private readonly blindIndex: BlindIndex,
  ) {}

  hash(type: string, value: string): string {
    return this.blindIndex.compute(type, value);
  }

  /** A stable index of an address (its members in a fixed order), so the same address is kept once. */
  addressHash(address: Record<string, JsonValue>): string {
    return this.blindIndex.compute('address', canonicalJson(address));
  }

  async keysFor(tx: SqlExecutor, profileIds: Iterable<string>, create: boolean): Promise<Map<string, Buffer>> {
    const ids = [...new Set(profileIds)];
    if (ids.length === 0) return new Map();
    return create ? this.dataKeys.getOrCreate(tx, ids) : this.dataKeys.get(tx, ids);
  }

  seal(keys: ReadonlyMap<string, Buffer>, profileId: string, slot: PiiSlot, plaintext: string): Buffer {
    const key = keys.get(profileId);
    if (!key) throw new Error(`no data key for profile ${profileId}`);
    return encryptField(key, plaintext, aad(profileId, slot));
  }

  /** The plaintext, or null when the profile's data key is gone (shredded). */
  open(keys: ReadonlyMap<string, Buffer>, profileId: string, slot: PiiSlot, blob: Buffer): string | null {
    const key = keys.get(profileId);
    return key ? decryptField(key, blob, aad(profileId, slot)) : null;
  }
}

export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
    .join(',')}}`;
}
