#!/usr/bin/env node
// Transpiles every workspace's src/ into dist/ with swc (type checking is `npm run typecheck`).
// Incremental: a file is rebuilt only when its source is newer than its output.
import { readFileSync, readdirSync, statSync, mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;

function workspaces() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dirs = [];
  for (const pattern of pkg.workspaces) {
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2));
      for (const name of readdirSync(parent)) {
        if (existsSync(join(parent, name, 'package.json'))) dirs.push(join(parent, name));
      }
    } else dirs.push(join(root, pattern));
  }
  return dirs;
}

function* tsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFiles(full);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !TEST_FILE.test(entry.name)) yield full;
  }
}

const only = process.argv[2] ? [resolve(process.cwd(), process.argv[2])] : workspaces();
let built = 0;
let seen = 0;
for (const ws of only) {
  const src = join(ws, 'src');
  if (!existsSync(src)) continue;
  const dist = join(ws, 'dist');
  const expected = new Set();
  for (const file of tsFiles(src)) {
    seen++;
    const out = join(dist, relative(src, file)).replace(/\.ts$/, '.js');
    expected.add(out);
    if (existsSync(out) && statSync(out).mtimeMs >= statSync(file).mtimeMs) continue;
    const { code, map } = swc.transformFileSync(file, { ...swcrc, swcrc: false, filename: file, sourceFileName: relative(dirname(out), file) });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${code}\n//# sourceMappingURL=${out.split('/').pop()}.map\n`);
    if (map) writeFileSync(`${out}.map`, map);
    built++;
  }
  // Remove outputs whose source is gone so a stale module can never be loaded.
  if (existsSync(dist)) {
    for (const file of (function* walk(d) {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const f = join(d, e.name);
        if (e.isDirectory()) yield* walk(f);
        else if (f.endsWith('.js')) yield f;
      }
    })(dist)) {
      if (!expected.has(file)) {
        rmSync(file);
        rmSync(`${file}.map`, { force: true });
      }
    }
  }
}
console.log(`build: ${built} of ${seen} files transpiled`);
