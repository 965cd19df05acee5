// Resolves @cdp/* to the workspace sources (as jest does), so a bench always measures the code in
// the tree rather than whatever dist/ was last built. Import it before anything that loads @cdp/*.
import Module from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const SOURCES: Record<string, string> = { contracts: join(root, 'contracts/src/index.ts') };
for (const lib of ['avro', 'config', 'kafka', 'clickhouse', 'service-kit', 'testing']) SOURCES[lib] = join(root, `packages/${lib}/src/index.ts`);

type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const original = loader._resolveFilename;
loader._resolveFilename = function (request: string, ...rest: unknown[]): string {
  const match = /^@cdp\/([a-z-]+)$/.exec(request);
  const source = match ? SOURCES[match[1]] : undefined;
  return original.call(this, source ?? request, ...rest);
};
