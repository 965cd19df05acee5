#!/usr/bin/env bash
# Installs npm dependencies when they are missing or out of date with package-lock.json, then builds
# every workspace (incremental: only changed files are transpiled). Instant when nothing changed.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

command -v node >/dev/null || die "node is not installed (this project needs Node $(cat .nvmrc))"
command -v npm >/dev/null || die "npm is not installed"

lock_hash() { sha256sum package-lock.json | cut -d' ' -f1; }
STAMP=node_modules/.cdp-lock-sha256

deps_stale() {
  [[ -f node_modules/.package-lock.json ]] || return 0
  # npm rewrites node_modules/.package-lock.json after every install, so a lockfile newer than it
  # means dependencies changed since, unless the content is the one last installed (a checkout that
  # only touched the file's time).
  [[ package-lock.json -nt node_modules/.package-lock.json ]] || return 1
  [[ -f $STAMP && $(<"$STAMP") == "$(lock_hash)" ]] && return 1
  return 0
}

if deps_stale; then
  say "npm ci (node_modules missing or out of date with package-lock.json)"
  npm ci --no-audit --no-fund >&2
  lock_hash >"$STAMP"
fi
node scripts/build.mjs >&2
