import { createHash } from 'node:crypto';
import type { CdnowPurchase } from './cdnow-events';

/** A Segment call as analytics.js or a server library puts it into `batch`. */
export type SegmentCall = Record<string, unknown>;

function uuidFrom(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const CONTEXT = {
  library: { name: 'analytics.js', version: '4.1.0' },
  locale: 'en-US',
  userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
};

/**
 * The calls a web shop sends around a CDNOW purchase: mostly `Order Completed` tracks (identified
 * customer, device id, products), with a page view every 10th and an identify every 10th, so the
 * normaliser's other paths (page, traits with email and phone) are on the measured path too.
 * `salt` makes the messageIds unique per run: repeated ids would be deduplicated, not produced.
 */
export function segmentCall(p: CdnowPurchase, index: number, salt: string, now: number): SegmentCall {
  const messageId = uuidFrom(`${salt}:${index}`);
  const userId = `cdnow-${p.customerId}`;
  const anonymousId = `dev-${p.customerId}`;
  const timestamp = new Date(now - (index % 600) * 1000).toISOString();
  const context = { ...CONTEXT, ip: `198.51.100.${index % 255}`, page: { path: '/checkout/complete', url: 'https://cdnow.example/checkout/complete' } };
  if (index % 10 === 3) {
    return { type: 'page', messageId, anonymousId, userId, name: 'Catalogue', timestamp, context, properties: { path: '/catalogue', title: 'CDs', url: 'https://cdnow.example/catalogue' } };
  }
  if (index % 10 === 7) {
    return {
      type: 'identify',
      messageId,
      anonymousId,
      userId,
      timestamp,
      context,
      traits: { email: ` Customer${p.customerId}@Example.com `, phone: `+1 415 555 ${String(1000 + (Number(p.customerId) % 9000))}`, firstName: 'Cd', lastName: `Buyer ${p.customerId}` },
    };
  }
  const orderId = `cdnow-${p.customerId}-${p.date}-${index}`;
  const price = p.cds > 0 ? Math.round((p.dollars / p.cds) * 100) / 100 : p.dollars;
  return {
    type: 'track',
    event: 'Order Completed',
    messageId,
    anonymousId,
    userId,
    timestamp,
    context,
    properties: {
      order_id: orderId,
      total: p.dollars,
      revenue: p.dollars,
      currency: 'usd',
      products: [{ product_id: `cd-${(index * 31) % 9973}`, sku: `CD-${(index * 31) % 9973}`, name: 'Compact disc', category: 'Music', price, quantity: p.cds }],
    },
  };
}
