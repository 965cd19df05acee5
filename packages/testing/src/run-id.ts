import { randomBytes } from 'node:crypto';

export const RUN_ID_ENV = 'CDP_TEST_RUN_ID';

/** Lower-case base36: valid in topic names, database names and paths alike. */
export function randomSuffix(length = 6): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += (byte % 36).toString(36);
  return out;
}

/** A short id for one test run: time-ordered prefix so leftovers of old runs sort together. */
export function newRunId(now: number = Date.now()): string {
  return now.toString(36).slice(-5) + randomSuffix(3);
}

/**
 * The id global setup published for this run. Outside jest's int/e2e tiers (a unit test, a script)
 * the process gets its own id once, so names stay unique and consistent within the process.
 */
export function currentRunId(): string {
  const existing = process.env[RUN_ID_ENV];
  if (existing) return existing;
  const id = newRunId();
  process.env[RUN_ID_ENV] = id;
  return id;
}

/** Reduces a free-form label to `[a-z0-9]` runs joined by `separator`, at most `maxLength` chars. */
export function sanitizeLabel(label: string, separator: '-' | '_', maxLength: number): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, separator)
    .slice(0, maxLength)
    .replace(/^[-_]+|[-_]+$/g, '');
}
