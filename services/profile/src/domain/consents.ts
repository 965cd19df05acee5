import { asObject, asString, type JsonObject, type JsonValue } from './json';

/** The contact channels consent is asked for. */
export const CONSENT_CHANNELS = ['email', 'sms', 'push', 'phone'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

const PURPOSE = /^[a-z][a-z0-9_]{0,63}$/;

/** A consent as one event stated it: granted or revoked for a purpose on a channel. */
export interface ConsentFact {
  readonly purpose: string;
  readonly channel: ConsentChannel;
  readonly granted: boolean;
  readonly at: number;
  readonly eventId: string;
  /** Where the statement came from: the event's source, e.g. the POS system or the web shop. */
  readonly source: string;
}

export const CONSENT_EVENTS: ReadonlySet<string> = new Set(['Consent Updated', 'Consent Granted', 'Consent Revoked']);

function isChannel(value: string): value is ConsentChannel {
  return (CONSENT_CHANNELS as readonly string[]).includes(value);
}

function consentOf(raw: JsonObject, fallbackGranted: boolean | undefined): { purpose: string; channel: ConsentChannel; granted: boolean } | undefined {
  const purpose = (asString(raw.purpose) ?? 'marketing').toLowerCase();
  const channel = asString(raw.channel)?.toLowerCase();
  const granted = typeof raw.granted === 'boolean' ? raw.granted : raw.status === 'granted' ? true : raw.status === 'revoked' ? false : fallbackGranted;
  if (!PURPOSE.test(purpose) || channel === undefined || !isChannel(channel) || granted === undefined) return undefined;
  return { purpose, channel, granted };
}

/**
 * Consents of a track call: `Consent Updated` with `{ purpose?, channel, granted | status }` (or a
 * `consents` array of those), `Consent Granted` / `Consent Revoked` with `{ purpose?, channel }`.
 * The purpose defaults to `marketing`. Statements naming an unknown channel are not consents.
 */
export function consentsOfTrack(event: string, properties: JsonObject | undefined): Array<{ purpose: string; channel: ConsentChannel; granted: boolean }> {
  if (!CONSENT_EVENTS.has(event) || !properties) return [];
  const fallback = event === 'Consent Granted' ? true : event === 'Consent Revoked' ? false : undefined;
  const list = Array.isArray(properties.consents) ? properties.consents : [properties];
  return list.flatMap((item) => {
    const raw = asObject(item as JsonValue);
    const consent = raw ? consentOf(raw, fallback) : undefined;
    return consent ? [consent] : [];
  });
}

/**
 * Consents of identify traits: `consents: { <purpose>: { <channel>: true|false } }`, or the flat
 * `consents: { "<purpose>_<channel>": true|false }` member lists often carry (`marketing_email`).
 */
export function consentsOfTraits(consents: JsonValue | undefined): Array<{ purpose: string; channel: ConsentChannel; granted: boolean }> {
  const raw = asObject(consents);
  if (!raw) return [];
  const out: Array<{ purpose: string; channel: ConsentChannel; granted: boolean }> = [];
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'boolean') {
      const at = key.lastIndexOf('_');
      const purpose = key.slice(0, at).toLowerCase();
      const channel = key.slice(at + 1).toLowerCase();
      if (at > 0 && PURPOSE.test(purpose) && isChannel(channel)) out.push({ purpose, channel, granted: value });
      continue;
    }
    const perChannel = asObject(value);
    const purpose = key.toLowerCase();
    if (!perChannel || !PURPOSE.test(purpose)) continue;
    for (const [channel, granted] of Object.entries(perChannel)) {
      const c = channel.toLowerCase();
      if (typeof granted === 'boolean' && isChannel(c)) out.push({ purpose, channel: c, granted });
    }
  }
  return out;
}

export function consentSlot(fact: Pick<ConsentFact, 'purpose' | 'channel'>): string {
  return `${fact.purpose}.${fact.channel}`;
}

/** Whether `incoming` is the newer statement (event time, then event id: arrival order never matters). */
export function consentSupersedes(incoming: ConsentFact, current: ConsentFact | undefined): boolean {
  if (!current) return true;
  if (incoming.at !== current.at) return incoming.at > current.at;
  return incoming.eventId > current.eventId;
}

/** The latest statement per purpose and channel. */
export function foldConsents(facts: Iterable<ConsentFact>): Map<string, ConsentFact> {
  const out = new Map<string, ConsentFact>();
  for (const fact of facts) {
    const slot = consentSlot(fact);
    if (consentSupersedes(fact, out.get(slot))) out.set(slot, fact);
  }
  return out;
}
