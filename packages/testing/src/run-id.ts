import { randomBytes } from 'node:crypto';

export const RUN_ID_ENV = 'CDP_TEST_RUN_ID';

/** Lower-case base36: valid in topic names, database names and paths alike. */
export function randomSuffix(length = 6): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += (byte % 36).toString(36);
  return out;
}

const RUN_CLOCK_CHARS = 6;

/**
 * A short id for one test run: its start second in base36 (6 chars, good until 2038) plus 2 random
 * chars. The time part lets a later run recognise leftovers of runs long finished.
 */
export function newRunId(now: number = Date.now()): string {
  return Math.floor(now / 1000).toString(36).padStart(RUN_CLOCK_CHARS, '0').slice(-RUN_CLOCK_CHARS) + randomSuffix(2);
}

/**
 * Ids made before run ids carried their start time decode to arbitrary instants; those before this
 * one are not trusted to be times at all.
 */
const RUN_CLOCK_EPOCH = Date.UTC(2026, 10, 22);

/** When the run with this id started (ms since epoch), or undefined for ids not made by newRunId. */
export function runStartedAt(runId: string): number | undefined {
  if (!/^[0-9a-z]{8}$/.test(runId)) return undefined;
  const startedAt = parseInt(runId.slice(0, RUN_CLOCK_CHARS), 36) * 1000;
  return startedAt >= RUN_CLOCK_EPOCH ? startedAt : undefined;
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
