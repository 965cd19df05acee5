/**
 * CDNOW purchases through the platform into loyalty: the sample file imported through ingestion's
 * POST /v1/imports, resolved by identity, credited by loyalty, each service in-process with its own
 * database on one topic prefix. The points are checked against figures computed here from the
 * file's text alone (whole dollars from the digits, dates by calendar arithmetic); then a refund
 * sent through ingestion reverses an order's points, and the clock moves until everything expires.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startIdentity, type IdentityHarness } from '../services/identity/test/support/identity-harness';
import { basicAuth, postSegment, startIngestion, type IngestionHarness } from '../services/ingestion/test/support/ingestion-harness';
import type { AccountState, AccountSummary } from '../services/loyalty/src/domain';
import { DAY_MS, type LoyaltyHarness, programme, startLoyalty } from '../services/loyalty/test/support/loyalty-harness';

const ROOT = join(__dirname, '..');
/** ../shared/datasets beside the repository (or beside a folder above it, for worktrees). */
function sampleFile(): string {
  for (let dir = ROOT; ; dir = dirname(dir)) {
    const candidate = join(dir, '..', 'shared', 'datasets', 'cdnow_sample.txt');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error('cdnow_sample.txt not found in ../shared/datasets beside the repository');
  }
}
const SAMPLE = sampleFile();
const PENDING_DAYS = 30;
const EXPIRY_DAYS = 365;
/** The day after the data ends. */
const NOW = Date.UTC(1998, 6, 1);

interface Purchase {
  customer: string;
  orderId: string;
  at: number;
  points: number;
}

/** Every line of the sample: `original_id sample_id yyyymmdd cds dollars`; a point per whole dollar. */
function readSample(): Purchase[] {
  return readFileSync(SAMPLE, 'utf8')
    .split('\n')
    .map((line, i) => ({ fields: line.trim().split(/\s+/), line: i + 1 }))
    .filter(({ fields }) => fields.length === 5)
    .map(({ fields: [customer, , date, , dollars], line }) => ({
      customer,
      // The mapping's order id: customer, date and line number.
      orderId: `${customer}-${date}-${line}`,
      at: Date.UTC(Number(date.slice(0, 4)), Number(date.slice(4, 6)) - 1, Number(date.slice(6, 8))),
      points: Number(dollars.split('.')[0]),
    }));
}

describe('CDNOW purchases imported through ingestion earn loyalty points', () => {
  let ingestion: IngestionHarness;
  let identity: IdentityHarness;
  let loyalty: LoyaltyHarness;
  let source: { writeKey: string };
  const purchases = readSample();
  const byCustomer = new Map<string, Purchase[]>();
  for (const p of purchases) byCustomer.set(p.customer, [...(byCustomer.get(p.customer) ?? []), p]);
  /** customer -> loyalty account (profile) */
  const profileOf = new Map<string, string>();

  const summary = async (profileId: string) => {
    const res = await loyalty.call('GET', `/v1/loyalty/programmes/cdnow/accounts/${profileId}`);
    expect(res.status).toBe(200);
    return (await res.json()) as AccountSummary;
  };
  const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 180_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const orderCount = async () => Number((await loyalty.sql<{ n: string }>(`SELECT count(*) AS n FROM loyalty.account_events WHERE type = 'OrderRecorded'`))[0].n);

  beforeAll(async () => {
    ingestion = await startIngestion('e2e-loyalty-ingestion');
    identity = await startIdentity('e2e-loyalty-identity', {}, { topicPrefix: ingestion.prefix });
    loyalty = await startLoyalty('e2e-loyalty', {}, { topicPrefix: ingestion.prefix });
    loyalty.clock.set(NOW);
    await loyalty.createProgramme(programme('cdnow', { pendingDays: PENDING_DAYS, expiry: { kind: 'rolling', days: EXPIRY_DAYS } }));
    source = await ingestion.createSource({ channel: 'pos' });
  }, 180_000);

  afterAll(async () => {
    await loyalty?.close();
    await identity?.close();
    await ingestion?.close();
  }, 120_000);

  it('credits every customer the whole dollars of their orders', async () => {
    // The committed CDNOW mapping, read for the sample's layout (no header, the sample's own id in the second column).
    const mapping = JSON.parse(readFileSync(join(ROOT, 'services/ingestion/imports/cdnow-pos-receipts.mapping.json'), 'utf8')) as { csv: Record<string, unknown> };
    mapping.csv = { ...mapping.csv, header: false, columns: ['customer_id', 'sample_id', 'date', 'number_of_cds', 'dollar_value'] };
    const res = await fetch(`${ingestion.url}/v1/imports`, {
      method: 'POST',
      headers: { authorization: basicAuth(source.writeKey), 'content-type': 'text/plain', 'x-import-mapping': Buffer.from(JSON.stringify(mapping)).toString('base64'), 'x-import-file-id': 'cdnow-sample' },
      body: readFileSync(SAMPLE),
    });
    const job = (await res.json()) as { status: string; rows: { accepted: number; rejected: number } };
    expect([res.status, job.rows.accepted, job.rows.rejected]).toEqual([200, purchases.length, 0]);

    await waitFor('loyalty recording every order', async () => (await orderCount()) >= purchases.length);
    expect(await orderCount()).toBe(purchases.length);

    const accounts = await loyalty.sql<{ profile_id: string; state: AccountState }>(`SELECT profile_id, state FROM loyalty.accounts WHERE programme_id = 'cdnow' AND state IS NOT NULL`);
    for (const { profile_id, state } of accounts) {
      const customers = new Set(Object.keys(state.orders).map((orderId) => orderId.split('-')[0]));
      expect(customers.size).toBe(1);
      profileOf.set([...customers][0], profile_id);
    }
    expect(profileOf.size).toBe(byCustomer.size);
    for (const { profile_id, state } of accounts) {
      const customer = [...profileOf].find(([, p]) => p === profile_id)![0];
      expect([customer, state.totals.pendingCredited]).toEqual([customer, byCustomer.get(customer)!.reduce((sum, p) => sum + p.points, 0)]);
    }
  });

  it('shows each member as of the day after the data ends: pending inside the return window, active, or expired a year after activation', async () => {
    const totals = { active: 0, pending: 0, expired: 0 };
    const expected = { active: 0, pending: 0, expired: 0 };
    for (const [customer, list] of byCustomer) {
      const s = await summary(profileOf.get(customer)!);
      totals.active += s.points.active;
      totals.pending += s.points.pending;
      totals.expired += s.points.expired;
      for (const p of list) {
        const activatesAt = p.at + PENDING_DAYS * DAY_MS;
        if (activatesAt > NOW) expected.pending += p.points;
        else if (activatesAt + EXPIRY_DAYS * DAY_MS <= NOW) expected.expired += p.points;
        else expected.active += p.points;
      }
    }
    expect(totals).toEqual(expected);
    expect(expected.active).toBeGreaterThan(0);
    expect(expected.pending).toBeGreaterThan(0);
  });

  it('reverses the points of a refunded order, sent through ingestion', async () => {
    // The customer with the most points from an order that is active on NOW.
    const isActive = (p: Purchase) => p.at + PENDING_DAYS * DAY_MS <= NOW && p.at + (PENDING_DAYS + EXPIRY_DAYS) * DAY_MS > NOW && p.points > 0;
    const refunded = purchases.filter(isActive).sort((a, b) => b.points - a.points)[0];
    const profileId = profileOf.get(refunded.customer)!;
    const before = await summary(profileId);
    const res = await postSegment(ingestion.url, '/v1/track', source.writeKey, {
      userId: refunded.customer,
      event: 'Order Refunded',
      properties: { order_id: refunded.orderId },
      timestamp: new Date(NOW - DAY_MS).toISOString(),
    });
    expect(res.status).toBe(200);
    await waitFor('the refund', async () => (await summary(profileId)).points.active === before.points.active - refunded.points);
    expect((await summary(profileId)).points).toMatchObject({ active: before.points.active - refunded.points, pending: before.points.pending });
  });

  it('expires every point once the clock has moved past the last expiry', async () => {
    loyalty.clock.set(Date.UTC(2000, 0, 1));
    const run = await loyalty.call('POST', '/v1/loyalty/due-work');
    expect(run.status).toBe(200);
    const [row] = await loyalty.sql<{ active: string; pending: string; due: string }>(
      `SELECT sum(active_points) AS active, sum(pending_points) AS pending, count(*) FILTER (WHERE next_due_at IS NOT NULL) AS due FROM loyalty.accounts WHERE programme_id = 'cdnow'`,
    );
    expect([Number(row.active), Number(row.pending), Number(row.due)]).toEqual([0, 0, 0]);
    const [{ expired, reversed }] = await loyalty.sql<{ expired: string; reversed: string }>(
      `SELECT sum((state->'totals'->>'expired')::bigint) AS expired, sum((state->'totals'->>'reversed')::bigint) AS reversed FROM loyalty.accounts WHERE programme_id = 'cdnow'`,
    );
    expect(Number(expired) + Number(reversed)).toBe(purchases.reduce((sum, p) => sum + p.points, 0));
    expect(Number(reversed)).toBeGreaterThan(0);
  });
});
