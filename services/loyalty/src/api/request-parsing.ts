import type { Principal } from '@cdp/security';
import type { ChangeInfo } from '../application/programme-admin';
import { LoyaltyError } from '../application/loyalty.error';

export function object(body: unknown, field?: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new LoyaltyError('INVALID_REQUEST', `${field ? `${field} must be` : 'the body must be'} a JSON object`, 400, field ? { field } : {});
  }
  return body as Record<string, unknown>;
}

export function optionalString(value: unknown, field: string, max = 200): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw new LoyaltyError('INVALID_REQUEST', `${field} must be a non-empty string of at most ${max} characters`, 400, { field });
  return value.trim();
}

export function requiredString(value: unknown, field: string, max = 200): string {
  const s = optionalString(value, field, max);
  if (s === undefined) throw new LoyaltyError('INVALID_REQUEST', `${field} is required`, 400, { field });
  return s;
}

export function pageSize(raw: string | undefined, fallback = 50, max = 500): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new LoyaltyError('INVALID_REQUEST', `limit must be an integer from 1 to ${max}`, 400, { field: 'limit' });
  return n;
}

export function optionalInt(raw: unknown, field: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new LoyaltyError('INVALID_REQUEST', `${field} must be an integer from ${min} to ${max}`, 400, { field });
  return n;
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new LoyaltyError('INVALID_REQUEST', `${field} must be true or false`, 400, { field });
  return value;
}

/** Who made a change (for the version history and the audit log) and why. */
export function changeOf(fields: Record<string, unknown>, principal: Principal): ChangeInfo {
  return {
    expectedVersion: optionalInt(fields.expectedVersion, 'expectedVersion', 1),
    reason: optionalString(fields.reason, 'reason', 500) ?? null,
    changedBy: actorOf(principal),
  };
}

export function actorOf(principal: Principal): string {
  return `${principal.name} (${principal.tokenId})`;
}
