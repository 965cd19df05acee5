/** Where a timeline page ended: the last event returned, in the timeline's order (occurred_at, event_id), newest first. */
export interface TimelinePosition {
  occurredAt: number;
  eventId: string;
}

/**
 * Opaque to clients (base64url JSON), so that the order key can change without breaking their
 * code; it holds no more than the position, and nothing a client could not see in the page.
 */
export function encodeCursor(position: TimelinePosition): string {
  return Buffer.from(JSON.stringify([position.occurredAt, position.eventId]), 'utf8').toString('base64url');
}

/** The position a cursor holds, or null when it is not one this service wrote. */
export function decodeCursor(cursor: string): TimelinePosition | null {
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(cursor)) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return null;
    const [occurredAt, eventId] = parsed as unknown[];
    if (typeof occurredAt !== 'number' || !Number.isSafeInteger(occurredAt) || typeof eventId !== 'string' || eventId === '') return null;
    return { occurredAt, eventId };
  } catch {
    return null;
  }
}
