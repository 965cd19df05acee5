import { Injectable } from '@nestjs/common';
import { BlindIndex, DataKeyStore, decryptField, encryptField } from '@cdp/security';
import type { SqlExecutor } from '@cdp/kafka';

/** A stored identifier value: who holds its data key, and its blind index (bound into the ciphertext). */
export interface SealedIdentifier {
  readonly keySubject: string;
  readonly type: string;
  readonly hash: string;
  readonly valueEnc: Buffer;
}

/**
 * Identifier values at rest: a blind index (keyed HMAC) for matching and lookups, and the value
 * encrypted (AES-256-GCM) under the data key of the profile that first held it. The ciphertext is
 * bound to its subject, type and blind index, so it cannot be moved to another row. Erasing a profile
 * shreds its data keys and every value under them is gone.
 */
@Injectable()
export class IdentifierVault {
  constructor(
    private readonly index: BlindIndex,
    readonly dataKeys: DataKeyStore,
  ) {}

  hash(type: string, value: string): string {
    return this.index.compute(type, value);
  }

  /** Encrypts each value under its subject's data key (created when missing, in the caller's transaction). */
  async seal(tx: SqlExecutor, items: ReadonlyArray<{ keySubject: string; type: string; hash: string; value: string }>): Promise<Buffer[]> {
    if (items.length === 0) return [];
    const keys = await this.dataKeys.getOrCreate(tx, [...new Set(items.map((i) => i.keySubject))]);
    return items.map((i) => encryptField(keys.get(i.keySubject)!, i.value, aad(i)));
  }

  /** The plaintext of each sealed value, or null where its data key was shredded. */
  async open(tx: SqlExecutor, items: readonly SealedIdentifier[]): Promise<Array<string | null>> {
    if (items.length === 0) return [];
    const keys = await this.dataKeys.get(tx, [...new Set(items.map((i) => i.keySubject))]);
    return items.map((i) => {
      const key = keys.get(i.keySubject);
      return key ? decryptField(key, i.valueEnc, aad(i)) : null;
    });
  }
}

function aad(item: { keySubject: string; type: string; hash: string }): string {
  return `identity/${item.keySubject}/${item.type}/${item.hash}`;
}
