/**
 * Why an incoming Segment call could not become an IngestedEvent. Codes are stable strings: the API
 * answers them to clients and the dead-letter topic stores them as the reason.
 */
export const REJECTION_CODES = [
  'NOT_AN_OBJECT',
  'INVALID_TYPE',
  'MISSING_IDENTITY',
  'MISSING_EVENT_NAME',
  'MISSING_GROUP_ID',
  'INVALID_TIMESTAMP',
  'INVALID_FIELD',
  'INVALID_CURRENCY',
  'INVALID_AMOUNT',
  'EVENT_TOO_LARGE',
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

/** `field` is the JSON path of the value at fault inside the call (`properties.products[2].price`). */
export interface Rejection {
  code: RejectionCode;
  field: string | null;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };

export function accept<T>(value: T): Checked<T> {
  return { ok: true, value };
}

export function reject(code: RejectionCode, field: string | null, message: string): { ok: false; rejection: Rejection } {
  return { ok: false, rejection: { code, field, message } };
}

export function isRejectionCode(value: unknown): value is RejectionCode {
  return typeof value === 'string' && (REJECTION_CODES as readonly string[]).includes(value);
}

/** A payload value for a message: quoted and cut short, since messages are logged and returned to clients. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 61)}...` : text);
}
