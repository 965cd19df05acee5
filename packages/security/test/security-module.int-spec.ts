import { Client } from 'pg';
import { loadConfig } from '@cdp/config';
import { bootstrapService, createRootLogger, migrateService, type RunningService } from '@cdp/service-kit';
import { createTestDatabase, deleteTopicsWithPrefix, testInfra, uniqueTopicPrefix, type TestDatabase } from '@cdp/testing';
import { ACCESS_TOKEN_PATTERN, DEVELOPMENT_BOOTSTRAP_ADMIN_TOKEN, type AuditPage, type IssuedToken, type TokenView } from '../src';
import { FIXTURE_SCHEMA, fixtureClock, securedConfig, securedService, type SecuredConfig } from './fixtures/secured-service.fixture';

const SETUP_TIMEOUT_MS = 90_000;
const BOOTSTRAP = DEVELOPMENT_BOOTSTRAP_ADMIN_TOKEN;

interface Call {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

async function call(service: RunningService, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Call> {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Polls until `probe` holds; fails after the timeout (the other instance follows the topic with some lag). */
async function eventually(probe: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('SecurityModule in a service (two instances sharing the token topic)', () => {
  let db: TestDatabase;
  let prefix: string;
  let config: SecuredConfig;
  let a: RunningService;
  let b: RunningService;
  let pg: Client;

  const createToken = async (fields: Record<string, unknown>, on: RunningService = a, as = BOOTSTRAP): Promise<IssuedToken> => {
    const res = await call(on, 'POST', '/v1/tokens', as, fields);
    if (res.status !== 201) throw new Error(`creating a token answered ${res.status}: ${res.text}`);
    return res.body as unknown as IssuedToken;
  };

  beforeAll(async () => {
    db = await createTestDatabase('security-module');
    prefix = uniqueTopicPrefix('security');
    config = loadConfig(securedConfig, {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: db.url,
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
    });
    await migrateService(securedService, config, createRootLogger({ service: 'secured', version: 'test', level: config.logLevel }));
    a = await bootstrapService({ ...securedService, config });
    b = await bootstrapService({ ...securedService, config });
    for (const instance of [a, b]) {
      await eventually(async () => (await fetch(`${instance.url}/health/ready`)).status === 200, 'instance ready', 60_000);
    }
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await pg?.end();
    await a?.close();
    await b?.close();
    await db?.drop();
    if (prefix) await deleteTopicsWithPrefix(testInfra().kafkaBrokers, prefix);
  }, SETUP_TIMEOUT_MS);

  afterEach(() => {
    fixtureClock.offsetMs = 0;
  });

  it('reports the token registry in readiness once it has read the topic', async () => {
    const ready = (await (await fetch(`${a.url}/health/ready`)).json()) as { details: Record<string, { status: string }> };
    expect(ready.details['auth-tokens']).toMatchObject({ status: 'up' });
  });

  it('lets the bootstrap token create a token, shown once, usable at once on the same instance and shortly on the other', async () => {
    const created = await call(a, 'POST', '/v1/tokens', BOOTSTRAP, { name: 'CRM sync', role: 'marketer' });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const token = created.body as unknown as IssuedToken;
    expect(token).toMatchObject({ name: 'CRM sync', role: 'marketer', status: 'active', createdBy: 'bootstrap', expiresAt: null, revokedAt: null });
    expect(token.token).toMatch(ACCESS_TOKEN_PATTERN);
    expect(token.scopes).toEqual(expect.arrayContaining(['profiles:read', 'pii:read', 'segments:write']));

    // Read-your-writes: no wait on the instance that created it.
    expect((await call(a, 'GET', '/profiles/p-1', token.token)).body).toEqual({ id: 'p-1', readBy: token.id });
    await eventually(async () => (await call(b, 'GET', '/profiles/p-1', token.token)).status === 200, 'the token works on the second instance');

    // Never shown again, never as a hash.
    const listed = await call(b, 'GET', '/v1/tokens', BOOTSTRAP);
    expect((listed.body.items as TokenView[]).find((t) => t.id === token.id)).toMatchObject({ name: 'CRM sync', status: 'active' });
    const one = await call(a, 'GET', `/v1/tokens/${token.id}`, BOOTSTRAP);
    expect(one.body).toMatchObject({ id: token.id, role: 'marketer' });
    for (const text of [listed.text, one.text]) {
      expect(text).not.toContain(token.token);
      expect(text).not.toMatch(/hash/i);
    }
  });

  it('starts a new instance ready only once it has replayed the tokens already issued', async () => {
    const earlier = await createToken({ name: 'before the new instance', role: 'analyst' });
    const revoked = await createToken({ name: 'revoked before the new instance', role: 'analyst' });
    await call(a, 'POST', `/v1/tokens/${revoked.id}/revoke`, BOOTSTRAP);
    const late = await bootstrapService({ ...securedService, config });
    try {
      await eventually(async () => (await fetch(`${late.url}/health/ready`)).status === 200, 'the new instance is ready', 60_000);
      // Ready means caught up: no waiting for these answers.
      expect((await call(late, 'GET', '/profiles/p-1', earlier.token)).status).toBe(200);
      expect((await call(late, 'GET', '/profiles/p-1', revoked.token)).body).toMatchObject({ code: 'AUTH_TOKEN_REVOKED' });
    } finally {
      await late.close();
    }
  }, SETUP_TIMEOUT_MS);

  it('answers 401 with a Bearer challenge for a missing or unknown token', async () => {
    const missing = await call(a, 'GET', '/profiles/p-1');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(missing.body).toMatchObject({ status: 401, code: 'AUTH_TOKEN_MISSING' });

    const unknown = await call(a, 'GET', '/profiles/p-1', 'cdp_pat_' + 'A'.repeat(43));
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(unknown.body).toMatchObject({ code: 'AUTH_TOKEN_INVALID' });
  });

  it('answers 403 naming the missing scope', async () => {
    const analyst = await createToken({ name: 'BI', role: 'analyst' });
    const res = await call(a, 'GET', '/profiles/p-1/contact', analyst.token);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 403, code: 'AUTH_SCOPE_MISSING' });
    expect(res.body.detail).toContain('pii:read');
    expect(res.body.detail).not.toContain('profiles:read,');
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    // A scope the analyst does have lets it through.
    expect((await call(a, 'GET', '/profiles/p-1', analyst.token)).status).toBe(200);
  });

  it('refuses a role a handler is not open to, and a token narrowed below what a handler needs', async () => {
    const operator = await createToken({ name: 'ops', role: 'operator' });
    expect((await call(a, 'POST', '/profiles/p-1/merge', operator.token)).status).toBe(200);
    const narrowed = await createToken({ name: 'ops, read only', role: 'operator', scopes: ['profiles:read'] });
    expect((await call(a, 'POST', '/profiles/p-1/merge', narrowed.token)).body).toMatchObject({ status: 403, code: 'AUTH_SCOPE_MISSING' });
    const marketer = await createToken({ name: 'campaigns', role: 'marketer' });
    expect((await call(a, 'POST', '/profiles/p-1/merge', marketer.token)).body).toMatchObject({ status: 403, code: 'AUTH_ROLE_FORBIDDEN' });
  });

  it('stops accepting a revoked token: at once on the revoking instance, shortly on the other', async () => {
    const token = await createToken({ name: 'to revoke', role: 'analyst' });
    await eventually(async () => (await call(b, 'GET', '/profiles/p-1', token.token)).status === 200, 'the token works on the second instance');

    const revoked = await call(a, 'POST', `/v1/tokens/${token.id}/revoke`, BOOTSTRAP);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: token.id, status: 'revoked', revokedBy: 'bootstrap' });
    const refused = await call(a, 'GET', '/profiles/p-1', token.token);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'AUTH_TOKEN_REVOKED' });
    await eventually(async () => (await call(b, 'GET', '/profiles/p-1', token.token)).status === 401, 'the second instance refuses the revoked token');

    // Revoking again changes nothing.
    expect((await call(b, 'POST', `/v1/tokens/${token.id}/revoke`, BOOTSTRAP)).body).toMatchObject({ status: 'revoked', revokedAt: revoked.body.revokedAt });
  });

  it('refuses a token once its expiry has passed', async () => {
    const expiresAt = new Date(fixtureClock.now() + 60_000).toISOString();
    const token = await createToken({ name: 'one minute', role: 'analyst', expiresAt });
    expect((await call(a, 'GET', '/profiles/p-1', token.token)).status).toBe(200);
    fixtureClock.offsetMs = 61_000;
    const res = await call(a, 'GET', '/profiles/p-1', token.token);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'AUTH_TOKEN_EXPIRED' });
    expect((await call(a, 'GET', `/v1/tokens/${token.id}`, BOOTSTRAP)).body).toMatchObject({ status: 'expired' });
  });

  it('refuses invalid token requests, and tokens granting more than their issuer holds', async () => {
    expect((await call(a, 'POST', '/v1/tokens', BOOTSTRAP, { name: 'x', role: 'root' })).body).toMatchObject({ status: 422, code: 'INVALID_TOKEN_REQUEST' });
    const scopeBeyondRole = await call(a, 'POST', '/v1/tokens', BOOTSTRAP, { name: 'x', role: 'analyst', scopes: ['pii:read'] });
    expect(scopeBeyondRole.body).toMatchObject({ status: 422, code: 'INVALID_TOKEN_REQUEST' });
    expect(scopeBeyondRole.body.detail).toContain('pii:read');

    const tokenAdmin = await createToken({ name: 'token admin', role: 'admin', scopes: ['tokens:manage', 'profiles:read'] });
    const escalation = await call(a, 'POST', '/v1/tokens', tokenAdmin.token, { name: 'x', role: 'marketer' });
    expect(escalation.body).toMatchObject({ status: 403, code: 'TOKEN_SCOPE_ESCALATION' });
    expect((await call(a, 'POST', '/v1/tokens', tokenAdmin.token, { name: 'reader', role: 'analyst', scopes: ['profiles:read'] })).status).toBe(201);

    const marketer = await createToken({ name: 'no token rights', role: 'marketer' });
    expect((await call(a, 'POST', '/v1/tokens', marketer.token, { name: 'x', role: 'marketer' })).body).toMatchObject({ status: 403, code: 'AUTH_SCOPE_MISSING' });
    expect((await call(a, 'GET', '/v1/tokens/no-such-token', BOOTSTRAP)).body).toMatchObject({ status: 404, code: 'TOKEN_NOT_FOUND' });
  });

  it('audits mutating calls, denied ones and PII reads with actor, client and outcome, newest first', async () => {
    const marketer = await createToken({ name: 'audited marketer', role: 'marketer' });
    const analyst = await createToken({ name: 'audited analyst', role: 'analyst' });
    const client = { 'user-agent': 'audit-test/1.0', 'x-request-id': 'req-audit-1' };

    expect((await call(a, 'POST', '/profiles/p-7/email', marketer.token, { email: 'ada@example.com' }, client)).status).toBe(200);
    expect((await call(a, 'POST', '/profiles/p-7/notes', marketer.token, {}, client)).status).toBe(422);
    expect((await call(a, 'POST', '/profiles/p-7/notes', analyst.token, { note: 'hi' }, client)).status).toBe(403);
    const read = await call(b, 'GET', '/profiles/p-7/contact', marketer.token, undefined, { ...client, 'x-request-id': 'req-audit-2' });
    expect(read.body).toEqual({ id: 'p-7', email: 'ada@example.com' });

    const page = (await call(a, 'GET', '/v1/audit?resourceType=profile&resourceId=p-7', BOOTSTRAP)).body as unknown as AuditPage;
    expect(page.items.map((e) => [e.action, e.outcome, e.actor.name, e.status, e.errorCode])).toEqual([
      ['profiles.read_pii', 'success', 'audited marketer', null, null],
      ['profiles.annotate', 'denied', 'audited analyst', 403, 'AUTH_SCOPE_MISSING'],
      ['profiles.annotate', 'failure', 'audited marketer', 422, 'NOTE_EMPTY'],
      ['profiles.set_email', 'success', 'audited marketer', 200, null],
    ]);
    const [piiRead] = page.items;
    expect(piiRead).toMatchObject({ fields: ['email'], actor: { tokenId: marketer.id, role: 'marketer' }, client: { userAgent: 'audit-test/1.0', requestId: 'req-audit-2' } });
    expect(piiRead!.client.ip).toMatch(/127\.0\.0\.1$/);
    expect(page.items[1]!.details).toEqual({ missingScopes: ['profiles:write'] });

    // The token admin API is audited too, and the log filters by actor and pages with a cursor.
    const byBootstrap = (await call(a, 'GET', '/v1/audit?actor=bootstrap&action=tokens.create&limit=1', BOOTSTRAP)).body as unknown as AuditPage;
    expect(byBootstrap.items).toEqual([expect.objectContaining({ action: 'tokens.create', resource: { type: 'token', id: analyst.id }, details: { role: 'analyst', scopes: analyst.scopes } })]);
    const next = (await call(a, 'GET', `/v1/audit?actor=bootstrap&action=tokens.create&limit=1&cursor=${byBootstrap.nextCursor}`, BOOTSTRAP)).body as unknown as AuditPage;
    expect(next.items.map((e) => e.resource.id)).toEqual([marketer.id]);

    // Stored in the service's own schema.
    const { rows } = await pg.query(`SELECT count(*)::int AS n FROM ${FIXTURE_SCHEMA}.audit_log WHERE actor_token_id = $1`, [marketer.id]);
    expect(rows[0].n).toBe(3);
  });

  it('keeps the audit log to holders of audit:read', async () => {
    const marketer = await createToken({ name: 'curious', role: 'marketer' });
    expect((await call(a, 'GET', '/v1/audit', marketer.token)).body).toMatchObject({ status: 403, code: 'AUTH_SCOPE_MISSING' });
    expect((await call(a, 'GET', '/v1/audit?cursor=bogus', BOOTSTRAP)).body).toMatchObject({ status: 400, code: 'INVALID_AUDIT_QUERY' });
  });

  it('stores PII encrypted under the subject\'s data key, and erasure leaves it unreadable', async () => {
    const marketer = await createToken({ name: 'pii writer', role: 'marketer' });
    await call(a, 'POST', '/profiles/p-erase/email', marketer.token, { email: 'grace@example.com' });
    const { rows } = await pg.query<{ email: Buffer }>(`SELECT email FROM ${FIXTURE_SCHEMA}.contacts WHERE profile_id = 'p-erase'`);
    expect(rows[0]!.email.includes(Buffer.from('grace@example.com'))).toBe(false);
    expect((await call(b, 'GET', '/profiles/p-erase/contact', marketer.token)).body).toMatchObject({ email: 'grace@example.com' });

    const operator = await createToken({ name: 'dpo', role: 'operator' });
    expect((await call(a, 'DELETE', '/profiles/p-erase', operator.token)).body).toEqual({ id: 'p-erase', shredded: true });
    // The ciphertext is still in the table, but no instance can read it any more.
    expect((await pg.query(`SELECT 1 FROM ${FIXTURE_SCHEMA}.contacts WHERE profile_id = 'p-erase'`)).rowCount).toBe(1);
    expect((await call(a, 'GET', '/profiles/p-erase/contact', marketer.token)).body).toMatchObject({ status: 404, code: 'PROFILE_NOT_FOUND' });
  });
});
