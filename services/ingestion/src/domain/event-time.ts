import { accept, type Checked, reject } from './rejection';

/**
 * Earliest event time accepted. /v1/import brings history (the CDNOW receipts are from 1997), so the
 * bound only catches what is certainly a bug: epoch seconds sent as milliseconds land in January 1970.
 */
export const EARLIEST_EVENT_TIME = Date.UTC(1990, 0, 1);
/** Latest event time accepted, relative to receipt: a day covers any time-zone mix-up, not a wrong clock. */
export const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;

export interface ClientTimes {
  timestamp: number | null;
  originalTimestamp: number | null;
  sentAt: number | null;
}

export interface EventTimes {
  timestamp: number;
  originalTimestamp: number | null;
  sentAt: number | null;
}

/**
 * Segment's clock-skew correction. A device clock can be hours or years off, but the interval between
 * the event and the send is measured on that same clock, so it is trusted and laid back from receipt:
 * `timestamp = receivedAt - (sentAt - originalTimestamp)`. Server libraries send the client time as
 * `timestamp`, so it stands in when `originalTimestamp` is absent. Without `sentAt` nothing measures
 * the skew and the client's time is taken as given (that is how /v1/import carries history).
 */
export function resolveEventTime(client: ClientTimes, receivedAt: number): Checked<EventTimes> {
  const clientTime = client.originalTimestamp ?? client.timestamp;
  const clientField = client.originalTimestamp !== null ? 'originalTimestamp' : 'timestamp';
  let timestamp: number;
  let field: string;
  if (client.sentAt !== null && clientTime !== null) {
    timestamp = receivedAt - (client.sentAt - clientTime);
    field = clientField;
  } else {
    timestamp = client.timestamp ?? client.originalTimestamp ?? receivedAt;
    field = client.timestamp !== null ? 'timestamp' : clientField;
  }
  const corrected = client.sentAt !== null && clientTime !== null ? ' after clock-skew correction against sentAt' : '';
  if (timestamp < EARLIEST_EVENT_TIME) {
    return reject('INVALID_TIMESTAMP', field, `${field} gives an event time of ${iso(timestamp)}${corrected}, before 1990`);
  }
  if (timestamp > receivedAt + MAX_FUTURE_MS) {
    return reject('INVALID_TIMESTAMP', field, `${field} gives an event time of ${iso(timestamp)}${corrected}, more than a day in the future`);
  }
  return accept({ timestamp, originalTimestamp: clientTime, sentAt: client.sentAt });
}

function iso(epoch: number): string {
  const date = new Date(epoch);
  return Number.isNaN(date.getTime()) ? `${epoch} ms` : date.toISOString();
}
