import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TestingError } from '../testing.error';

let cached: string | undefined;

/** The monorepo root: the nearest ancestor whose package.json declares workspaces. */
export function repoRoot(from: string = __dirname): string {
  if (cached) return cached;
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown };
      if (pkg.workspaces) return (cached = dir);
    }
    if (dirname(dir) === dir) break;
  }
  throw new TestingError('REPO_ROOT_NOT_FOUND', `no package.json with workspaces above ${from}`);
}

/** Runtime state lives in `.data/` (or CDP_DATA_DIR), the same place scripts/infra-up.sh uses. */
export function dataRoot(): string {
  return process.env.CDP_DATA_DIR ?? join(repoRoot(), '.data');
}
