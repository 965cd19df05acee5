import type { IngestedEvent } from '@cdp/contracts';
import { seededRandom } from '@cdp/testing';

/**
 * A retailer's traffic as identity sees it, generated deterministically: mostly anonymous browsing by
 * returning visitors, some traffic of logged-in customers, and a few percent of events that link
 * identifiers (logins on a new device, store purchases with the member card and phone) and so attach
 * or merge profiles.
 */
export interface TrafficMix {
  events: IngestedEvent[];
  counts: { anonymous: number; identified: number; logins: number; storePurchases: number };
  visitors: number;
}

interface Visitor {
  anon: string;
  secondDevice: string | null;
  userId: string | null;
  email: string | null;
  phone: string | null;
  card: string | null;
  loggedIn: boolean;
}

export function identityTraffic(total: number, seed = 20261201): TrafficMix {
  const random = seededRandom(seed);
  const visitorCount = Math.max(100, Math.round(total / 4));
  const visitors: Visitor[] = Array.from({ length: visitorCount }, (_, i) => {
    const registered = random() < 0.3;
    return {
      anon: `anon-${i}`,
      secondDevice: registered && random() < 0.2 ? `anon-${i}-m` : null,
      userId: registered ? `user-${i}` : null,
      email: registered ? `c${i}@bench.shop.cn` : null,
      phone: registered && random() < 0.5 ? `+8613${String(100_000_000 + i).slice(-9)}` : null,
      card: registered && random() < 0.15 ? `MC-${i}` : null,
      loggedIn: false,
    };
  });
  const registered = visitors.filter((v) => v.userId !== null);
  const withCard = registered.filter((v) => v.card !== null);
  const counts = { anonymous: 0, identified: 0, logins: 0, storePurchases: 0 };
  const events: IngestedEvent[] = [];
  const start = Date.UTC(2026, 10, 1);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];

  for (let n = 0; n < total; n++) {
    const at = start + n * 250;
    const r = random();
    let event: IngestedEvent;
    if (r < 0.8) {
      const v = pick(visitors);
      const device = v.secondDevice && random() < 0.3 ? v.secondDevice : v.anon;
      event = base(n, at, { anonymousId: device, type: random() < 0.6 ? 'page' : 'track', event: 'Product Viewed', name: 'Product' });
      counts.anonymous += 1;
    } else if (r < 0.95) {
      const v = pick(registered);
      event = base(n, at, { anonymousId: v.anon, userId: v.userId, event: random() < 0.5 ? 'Product Added' : 'Cart Viewed' });
      counts.identified += 1;
    } else if (r < 0.985) {
      const v = pick(registered);
      const device = v.secondDevice && v.loggedIn ? v.secondDevice : v.anon;
      v.loggedIn = true;
      const traits: Record<string, string> = { email: v.email! };
      if (v.phone) traits.phone = v.phone;
      event = base(n, at, { type: 'identify', event: null, anonymousId: device, userId: v.userId, traits: JSON.stringify(traits) });
      counts.logins += 1;
    } else {
      const v = withCard.length > 0 ? pick(withCard) : pick(registered);
      const traits: Record<string, string> = { memberCard: v.card ?? `MC-x${n}` };
      if (v.phone) traits.phone = v.phone;
      event = base(n, at, { anonymousId: `receipt-${n}`, event: 'Order Completed', channel: 'pos', context: JSON.stringify({ traits }) });
      counts.storePurchases += 1;
    }
    events.push(event);
  }
  return { events, counts, visitors: visitorCount };
}

function base(n: number, at: number, fields: Partial<IngestedEvent>): IngestedEvent {
  return {
    messageId: `bench-identity-${n}`,
    type: 'track',
    event: null,
    name: null,
    anonymousId: null,
    userId: null,
    previousId: null,
    groupId: null,
    timestamp: at,
    originalTimestamp: at,
    sentAt: at,
    receivedAt: at,
    sourceId: 'bench-web',
    channel: 'web',
    context: '{}',
    traits: '{}',
    properties: '{"product_id":"sku-1","price":99}',
    commerce: null,
    integrations: '{}',
    ...fields,
  };
}
