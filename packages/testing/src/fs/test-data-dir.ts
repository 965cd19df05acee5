import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { currentRunId, randomSuffix, sanitizeLabel } from '../run-id';
import { dataRoot } from './repo-root';

/**
 * A fresh directory `<repo>/.data/test/<runId>/<label>-<rand>` (for embedded ClickHouse, whose data
 * directory only one process may open, and other on-disk state). Never shared between calls.
 */
export function testDataDir(label: string): string {
  const dir = join(dataRoot(), 'test', currentRunId(), `${sanitizeLabel(label, '-', 40) || 'data'}-${randomSuffix(6)}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}
