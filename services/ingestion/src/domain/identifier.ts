import { accept, type Checked, reject } from './rejection';

/** Values clients send when they meant "no id": stringified nulls from JavaScript templates and forms. */
const PLACEHOLDERS = new Set(['', 'null', 'undefined']);

/**
 * userId, anonymousId, previousId and groupId: strings or numbers become trimmed strings; empty and
 * placeholder values become null so they can never link unrelated customers together. Any other JSON
 * type is a client bug and is rejected rather than guessed at.
 */
export function cleanIdentifier(value: unknown, field: string): Checked<string | null> {
  if (value === undefined || value === null) return accept(null);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return reject('INVALID_FIELD', field, `${field} must be a string or a finite number`);
    return accept(String(value));
  }
  if (typeof value !== 'string') return reject('INVALID_FIELD', field, `${field} must be a string or a number, got ${jsonTypeOf(value)}`);
  const trimmed = value.trim();
  return accept(PLACEHOLDERS.has(trimmed.toLowerCase()) ? null : trimmed);
}

export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
