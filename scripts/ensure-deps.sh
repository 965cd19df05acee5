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

install_deps() {
  local out rc=0
  out=$(mktemp)
  npm ci --no-audit --no-fund >"$out" 2>&1 || rc=$?
  # Only entries for platform binaries may be missing; any other gap means package.json and the
  # lockfile really disagree, and that must fail rather than install unlocked versions.
  if [[ $rc -ne 0 ]] && grep -q 'can only install packages when your package.json and package-lock.json' "$out" &&
    ! grep 'Missing: ' "$out" | grep -qvE -- '-(darwin|win32|linux|android|freebsd|openbsd|sunos|aix|wasm32|openharmony)[-@]'; then
    # npm ci also demands lock entries for other platforms' optional binaries (@swc/core-darwin-*...),
    # which npm leaves out of a lockfile it writes on one platform (npm/cli#4828). npm install
    # --no-save installs the same locked versions without that check and leaves the lockfile as is.
    warn "npm ci wants lock entries for $(grep -c 'Missing: ' "$out") other-platform optional binaries; installing the locked versions with npm install --no-save"
    rc=0
    npm install --no-save --no-audit --no-fund >&2 || rc=$?
  else
    cat "$out" >&2
  fi
  rm -f "$out"
  [[ $rc -eq 0 ]] || die "installing npm dependencies failed (exit $rc)"
}

if deps_stale; then
  say "npm ci (node_modules missing or out of date with package-lock.json)"
  install_deps
  lock_hash >"$STAMP"
fi
node scripts/build.mjs >&2
