import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IngestedEvent } from '@cdp/contracts';

/** One CDNOW transaction: `customer_id date(YYYYMMDD) number_of_cds dollar_value`. */
export interface CdnowPurchase {
  customerId: string;
  date: string;
  cds: number;
  dollars: number;
}

export function readCdnow(datasetsDir: string): CdnowPurchase[] | undefined {
  const file = join(datasetsDir, 'cdnow_master.txt');
  if (!existsSync(file)) return undefined;
  const out: CdnowPurchase[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [customerId, date, cds, dollars] = line.trim().split(/\s+/);
    if (!/^\d+$/.test(customerId ?? '') || !/^\d{8}$/.test(date ?? '')) continue;
    out.push({ customerId, date, cds: Number(cds), dollars: Number(dollars) });
  }
  return out;
}

/** Synthetic purchases shaped like CDNOW's, for machines without the dataset. */
export function syntheticPurchases(count: number): CdnowPurchase[] {
  return Array.from({ length: count }, (_, i) => ({
    customerId: String((i * 7919) % 23570).padStart(5, '0'),
    date: `1997${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`,
    cds: 1 + (i % 5),
    dollars: Math.round((9.99 + (i % 40) * 3.17) * 100) / 100,
  }));
}

function uuidFrom(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A CDNOW purchase as the Segment `Order Completed` call a web shop would send: identified user,
 * device id, context, properties JSON and the typed commerce record.
 */
export function purchaseEvent(p: CdnowPurchase, index: number, salt: string): IngestedEvent {
  const timestamp = Date.UTC(Number(p.date.slice(0, 4)), Number(p.date.slice(4, 6)) - 1, Number(p.date.slice(6, 8)), 9 + (index % 12), index % 60);
  const orderId = `cdnow-${p.customerId}-${p.date}-${index}`;
  const price = p.cds > 0 ? Math.round((p.dollars / p.cds) * 100) / 100 : p.dollars;
  const products = [{ sku: `CD-${(index * 31) % 9973}`, productId: null, name: 'Compact disc', category: 'Music', brand: null, price, quantity: p.cds, variant: null }];
  return {
    messageId: uuidFrom(`${salt}:${index}`),
    type: 'track',
    event: 'Order Completed',
    name: null,
    anonymousId: `dev-${p.customerId}`,
    userId: `cdnow-${p.customerId}`,
    previousId: null,
    groupId: null,
    timestamp,
    originalTimestamp: timestamp - 120,
    sentAt: timestamp + 800,
    receivedAt: timestamp + 850,
    sourceId: 'cdnow-web',
    channel: 'web',
    context: JSON.stringify({
      library: { name: 'analytics.js', version: '4.1.0' },
      ip: `198.51.100.${index % 255}`,
      locale: 'en-US',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
      page: { path: '/checkout/complete', url: 'https://cdnow.example/checkout/complete' },
    }),
    traits: '{}',
    properties: JSON.stringify({ orderId, revenue: p.dollars, currency: 'USD', products: products.map(({ sku, name, category, price: pr, quantity }) => ({ sku, name, category, price: pr, quantity })) }),
    commerce: { orderId, revenue: p.dollars, currency: 'USD', discount: null, tax: null, shipping: null, coupon: null, storeId: null, products },
    integrations: '{}',
  };
}
