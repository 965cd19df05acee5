import { runtimeTablesDdl } from './runtime-tables';

describe('runtimeTablesDdl', () => {
  const ddl = runtimeTablesDdl('identity');

  it('creates the schema first and only idempotent statements', () => {
    expect(ddl[0]).toBe('CREATE SCHEMA IF NOT EXISTS "identity"');
    for (const statement of ddl) expect(statement).toMatch(/^(CREATE (SCHEMA|TABLE|INDEX) IF NOT EXISTS |ALTER TABLE \S+ ALTER COLUMN \w+ DROP NOT NULL$)/);
  });

  it('lets the outbox hold tombstones (rows without a value), also in outboxes created before', () => {
    expect(ddl.find((s) => s.includes('outbox ('))).toMatch(/value bytea,/);
    expect(ddl).toContain('ALTER TABLE "identity".outbox ALTER COLUMN value DROP NOT NULL');
  });

  it('keeps every table inside the service schema', () => {
    const tables = ddl.filter((s) => s.startsWith('CREATE TABLE')).map((s) => /CREATE TABLE IF NOT EXISTS (\S+)/.exec(s)![1]);
    expect(tables).toEqual(['"identity".consumer_offsets', '"identity".processed_events', '"identity".outbox']);
  });

  it('keys offsets per group/topic/partition and processed events per group/topic/event', () => {
    expect(ddl.find((s) => s.includes('consumer_offsets ('))).toContain('PRIMARY KEY (group_id, topic, partition)');
    expect(ddl.find((s) => s.includes('processed_events ('))).toContain('PRIMARY KEY (group_id, topic, event_id)');
  });

  it('indexes what the relay and the pruning scan', () => {
    expect(ddl.some((s) => /ON "identity"\.processed_events \(processed_at\)/.test(s))).toBe(true);
    expect(ddl.some((s) => /ON "identity"\.outbox \(id\) WHERE published_at IS NULL/.test(s))).toBe(true);
  });

  it('refuses a schema name that would need quoting tricks', () => {
    expect(() => runtimeTablesDdl('x"; DROP TABLE users; --')).toThrow(/Invalid SQL identifier/);
  });
});
