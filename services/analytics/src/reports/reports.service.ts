import { Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@clickhouse/client';
import { sqlString, sqlStringList, sqlTime } from '../persistence/clickhouse-sql';
import { ReadSessions } from '../persistence/read-sessions';

/** The period and, optionally, the customers (a segment's profile ids) a report covers. */
export interface ReportScope {
  /** Inclusive, epoch ms; absent: from the first event. */
  from?: number;
  /** Exclusive, epoch ms; absent: up to now. */
  to?: number;
  /** Current (canonical) profile ids; absent: every customer. */
  profileIds?: string[];
}

export const SALES_DIMENSIONS = ['day', 'channel', 'store', 'category', 'brand'] as const;
export type SalesDimension = (typeof SALES_DIMENSIONS)[number];

export interface Breakdown {
  value: string;
  customers: number;
  share: number;
}

export const ORDER_EVENT = 'Order Completed';

/**
 * The descriptive reports, over the customer_* views: duplicates collapsed, each event counted
 * for the profile its history belongs to now. An order is an `Order Completed` event; amounts are
 * in the order's currency and never added across currencies.
 */
@Injectable()
export class ReportsService {
  constructor(private readonly sessions: ReadSessions) {}

  /** Customers active in the period (any event) by age band, gender, region, country and channel. */
  customers(scope: ReportScope): Promise<{ customers: number; ageBand: Breakdown[]; gender: Breakdown[]; region: Breakdown[]; country: Breakdown[]; channel: Breakdown[] }> {
    return this.sessions.run(async (s) => {
      const events = this.events(scope);
      const [{ customers }] = await rows<{ customers: string }>(s, `SELECT uniqExact(profile_id) AS customers FROM ${events}`).then((r) => r.map((x) => ({ customers: Number(x.customers) })));
      const by = async (attribute: 'age_band' | 'gender' | 'region' | 'country') =>
        breakdown(
          await rows<{ value: string; customers: string }>(
            s,
            `SELECT if(p.${attribute} = '', 'unknown', p.${attribute}) AS value, count() AS customers
             FROM (SELECT DISTINCT profile_id FROM ${events}) AS a
             LEFT ANY JOIN ${this.db}.customer_profiles AS p ON p.profile_id = a.profile_id
             GROUP BY value ORDER BY customers DESC, value`,
          ),
          customers,
        );
      // A customer active in several channels counts in each.
      const channel = breakdown(
        await rows<{ value: string; customers: string }>(
          s,
          `SELECT if(channel = '', 'unknown', channel) AS value, uniqExact(profile_id) AS customers FROM ${events} GROUP BY value ORDER BY customers DESC, value`,
        ),
        customers,
      );
      return { customers, ageBand: await by('age_band'), gender: await by('gender'), region: await by('region'), country: await by('country'), channel };
    });
  }

  /** How many buyers placed 1, 2, 3... orders in the period. */
  purchaseFrequency(scope: ReportScope): Promise<{ buyers: number; distribution: Array<{ orders: number; customers: number; share: number }> }> {
    return this.sessions.run(async (s) => {
      const distribution = (
        await rows<{ orders: string; customers: string }>(
          s,
          `SELECT orders, count() AS customers FROM (SELECT profile_id, count() AS orders FROM ${this.orders(scope)} GROUP BY profile_id)
           GROUP BY orders ORDER BY orders`,
        )
      ).map((r) => ({ orders: Number(r.orders), customers: Number(r.customers) }));
      const buyers = distribution.reduce((n, r) => n + r.customers, 0);
      return { buyers, distribution: distribution.map((r) => ({ ...r, share: ratio(r.customers, buyers) })) };
    });
  }

  /** Orders, units (for categories and brands) and revenue by day, channel, store, category or brand. */
  sales(scope: ReportScope, by: SalesDimension): Promise<{ by: SalesDimension; rows: Array<{ key: string; currency: string; orders: number; units: number | null; revenue: number }> }> {
    return this.sessions.run(async (s) => {
      if (by === 'category' || by === 'brand') {
        const items = `${this.db}.customer_order_items WHERE ${this.where(scope)} AND event_name = ${sqlString(ORDER_EVENT)}`;
        const result = await rows<{ key: string; currency: string; orders: string; units: string; amount: number }>(
          s,
          `SELECT if(${by} = '', 'unknown', ${by}) AS key, currency, uniqExact(event_id) AS orders, sum(quantity) AS units,
                  toFloat64(sum(ifNull(price, 0) * quantity)) AS amount
           FROM ${items} GROUP BY key, currency ORDER BY amount DESC, key`,
        );
        return { by, rows: result.map((r) => ({ key: r.key, currency: r.currency, orders: Number(r.orders), units: Number(r.units), revenue: r.amount })) };
      }
      const key = by === 'day' ? 'toString(toDate(occurred_at))' : by === 'channel' ? "if(channel = '', 'unknown', channel)" : "if(store_id = '', 'unknown', store_id)";
      // Aliases never reuse a column's name: ClickHouse resolves a name to the alias first.
      const result = await rows<{ key: string; currency: string; orders: string; amount: number }>(
        s,
        `SELECT ${key} AS key, currency, count() AS orders, toFloat64(sum(ifNull(revenue, 0))) AS amount
         FROM ${this.orders(scope)} GROUP BY key, currency ORDER BY ${by === 'day' ? 'key' : 'amount DESC, key'}`,
      );
      return { by, rows: result.map((r) => ({ key: r.key, currency: r.currency, orders: Number(r.orders), units: null, revenue: r.amount })) };
    });
  }

  /** Revenue over orders, per currency (orders without a revenue are left out). */
  averageOrderValue(scope: ReportScope): Promise<{ rows: Array<{ currency: string; orders: number; revenue: number; averageOrderValue: number }> }> {
    return this.sessions.run(async (s) => {
      const result = await rows<{ currency: string; orders: string; amount: number }>(
        s,
        `SELECT currency, count() AS orders, toFloat64(sum(revenue)) AS amount FROM ${this.orders(scope)} AND revenue IS NOT NULL
         GROUP BY currency ORDER BY orders DESC`,
      );
      return { rows: result.map((r) => ({ currency: r.currency, orders: Number(r.orders), revenue: r.amount, averageOrderValue: ratio(r.amount, Number(r.orders), 4) })) };
    });
  }

  /** 复购率: the share of the period's buyers who placed two orders or more in it. */
  repurchaseRate(scope: ReportScope): Promise<{ buyers: number; repeatBuyers: number; repurchaseRate: number }> {
    return this.sessions.run(async (s) => {
      const [r] = await rows<{ buyers: string; repeat_buyers: string }>(
        s,
        `SELECT count() AS buyers, countIf(orders >= 2) AS repeat_buyers FROM (SELECT profile_id, count() AS orders FROM ${this.orders(scope)} GROUP BY profile_id)`,
      );
      const buyers = Number(r!.buyers);
      const repeatBuyers = Number(r!.repeat_buyers);
      return { buyers, repeatBuyers, repurchaseRate: ratio(repeatBuyers, buyers) };
    });
  }

  /**
   * Monthly cohorts by the month of each customer's first order ever, for cohorts that start in
   * the period: the share of the cohort that ordered again 0, 1, 2... months later (up to `to`).
   */
  cohortRetention(scope: ReportScope): Promise<{ cohorts: Array<{ cohort: string; customers: number; retention: number[] }> }> {
    return this.sessions.run(async (s) => {
      const customers = scope.profileIds ? `AND profile_id IN ${sqlStringList(scope.profileIds)}` : '';
      const result = await rows<{ cohort: string; month: string; customers: string }>(
        s,
        `WITH firsts AS (
           SELECT profile_id, toStartOfMonth(min(occurred_at)) AS cohort FROM ${this.db}.customer_events
           WHERE event_name = ${sqlString(ORDER_EVENT)} ${customers} GROUP BY profile_id
         )
         SELECT toString(f.cohort) AS cohort, dateDiff('month', f.cohort, toStartOfMonth(e.occurred_at)) AS month, uniqExact(e.profile_id) AS customers
         FROM ${this.db}.customer_events AS e INNER JOIN firsts AS f ON f.profile_id = e.profile_id
         WHERE e.event_name = ${sqlString(ORDER_EVENT)}
           ${scope.from !== undefined ? `AND f.cohort >= toStartOfMonth(${sqlTime(scope.from)})` : ''}
           ${scope.to !== undefined ? `AND f.cohort < ${sqlTime(scope.to)} AND e.occurred_at < ${sqlTime(scope.to)}` : ''}
         GROUP BY cohort, month ORDER BY cohort, month`,
      );
      const cohorts = new Map<string, Map<number, number>>();
      for (const r of result) {
        const months = cohorts.get(r.cohort) ?? new Map<number, number>();
        months.set(Number(r.month), Number(r.customers));
        cohorts.set(r.cohort, months);
      }
      return {
        cohorts: [...cohorts].map(([cohort, months]) => {
          const size = months.get(0) ?? 0;
          const last = Math.max(...months.keys());
          return { cohort: cohort.slice(0, 7), customers: size, retention: Array.from({ length: last + 1 }, (_, k) => ratio(months.get(k) ?? 0, size)) };
        }),
      };
    });
  }

  /**
   * Customers who went through the steps (event names) in order, each within `windowSeconds` of
   * the first (ClickHouse's windowFunnel), counted at every step they reached.
   */
  funnel(scope: ReportScope, steps: readonly string[], windowSeconds: number): Promise<{ windowSeconds: number; steps: Array<{ event: string; customers: number; conversion: number }> }> {
    return this.sessions.run(async (s) => {
      const conditions = steps.map((step) => `event_name = ${sqlString(step)}`).join(', ');
      const result = await rows<{ level: string; customers: string }>(
        s,
        `SELECT level, count() AS customers FROM (
           SELECT profile_id, windowFunnel(${windowSeconds * 1000})(toUInt64(toUnixTimestamp64Milli(occurred_at)), ${conditions}) AS level
           FROM ${this.db}.customer_events WHERE ${this.where(scope)} AND event_name IN ${sqlStringList([...steps])} GROUP BY profile_id
         ) GROUP BY level`,
      );
      const atLevel = new Map(result.map((r) => [Number(r.level), Number(r.customers)]));
      const reached = steps.map((_, i) => [...atLevel].filter(([level]) => level >= i + 1).reduce((n, [, c]) => n + c, 0));
      return { windowSeconds, steps: steps.map((event, i) => ({ event, customers: reached[i]!, conversion: ratio(reached[i]!, reached[0]!) })) };
    });
  }

  private get db(): string {
    return this.sessions.database;
  }

  private where(scope: ReportScope): string {
    const conditions = ['1'];
    if (scope.from !== undefined) conditions.push(`occurred_at >= ${sqlTime(scope.from)}`);
    if (scope.to !== undefined) conditions.push(`occurred_at < ${sqlTime(scope.to)}`);
    if (scope.profileIds) conditions.push(`profile_id IN ${sqlStringList(scope.profileIds)}`);
    return conditions.join(' AND ');
  }

  private events(scope: ReportScope): string {
    return `${this.db}.customer_events WHERE ${this.where(scope)}`;
  }

  private orders(scope: ReportScope): string {
    return `${this.events(scope)} AND event_name = ${sqlString(ORDER_EVENT)}`;
  }
}

async function rows<T>(session: ClickHouseClient, query: string): Promise<T[]> {
  return (await session.query({ query, format: 'JSONEachRow' })).json<T>();
}

function breakdown(result: Array<{ value: string; customers: string }>, total: number): Breakdown[] {
  return result.map((r) => ({ value: r.value, customers: Number(r.customers), share: ratio(Number(r.customers), total) }));
}

function ratio(part: number, whole: number, digits = 6): number {
  if (whole === 0) return 0;
  const f = 10 ** digits;
  return Math.round((part / whole) * f) / f;
}
