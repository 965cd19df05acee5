import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The layering rules only help if lint really applies them: @nx/enforce-module-boundaries quietly
// skips itself when no project graph has been computed, so this runs lint the way `npm run lint` does.
const ROOT = join(__dirname, '..');
const ENV = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

function lint(filePath: string, source: string): Array<{ ruleId: string | null; message: string }> {
  const run = spawnSync(join(ROOT, 'node_modules/.bin/eslint'), ['--format', 'json', '--stdin', '--stdin-filename', filePath], {
    cwd: ROOT,
    env: ENV,
    input: source,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string }> }>;
  return result.messages;
}

describe('module boundaries (eslint)', () => {
  beforeAll(() => {
    execFileSync(join(ROOT, 'node_modules/.bin/nx'), ['show', 'projects'], { cwd: ROOT, env: ENV, stdio: 'ignore' });
  }, 60_000);

  it('refuses a library importing a service', () => {
    const messages = lint('packages/config/src/boundary-probe.ts', "import '@cdp/ingestion';\nexport const probe = 1;\n");
    expect(messages.map((m) => m.ruleId)).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses framework and node:* imports in domain code', () => {
    const messages = lint('services/identity/src/domain/boundary-probe.ts', "import { readFileSync } from 'node:fs';\nimport { Injectable } from '@nestjs/common';\nexport const probe = [readFileSync, Injectable];\n");
    expect(messages.filter((m) => m.ruleId === 'no-restricted-imports')).toHaveLength(2);
  });

  it('lets a service import a library', () => {
    const messages = lint('services/identity/src/boundary-probe.ts', "import { loadConfig } from '@cdp/config';\nexport const probe = loadConfig;\n");
    expect(messages).toEqual([]);
  });
});
