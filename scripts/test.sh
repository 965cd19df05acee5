#!/usr/bin/env bash
# npm test [-- <jest args>]: dependencies, infrastructure, type check, lint, then every test tier
# (unit, integration, end-to-end) in one jest run. Ends with "tests: N passed, M failed[, K skipped]"
# and exits non-zero on any failure. The JSON report goes to .data/test-results.json.
# Environment: CDP_TEST_WORKERS (jest workers, default 2), CDP_TEST_INFRA (local|testcontainers|auto),
# and the explicit endpoints KAFKA_BROKERS, DATABASE_URL, CLICKHOUSE_URL.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
export NX_DAEMON=false

bash scripts/ensure-deps.sh

# The jest global setup resolves the infrastructure itself; bringing it up here first fails early
# and visibly. Where a Docker engine may answer, the global setup picks Testcontainers instead.
mode=${CDP_TEST_INFRA:-auto}
if [[ $mode == local || ( $mode == auto && ! -S /var/run/docker.sock && -z ${DOCKER_HOST:-} ) ]]; then
  bash scripts/infra-up.sh
fi

say "type check"
npx tsc -p tsconfig.json --noEmit
say "lint"
# @nx/enforce-module-boundaries reads the cached project graph and silently skips itself without one
# (a fresh clone has none): `npm run lint` computes the graph first.
npm run --silent lint

REPORT="$DATA_DIR/test-results.json"
rm -f "$REPORT"
say "jest: unit, int and e2e tiers"
rc=0
# --forceExit: the report is complete once the last test ends; a handle some test leaks (a socket,
# a timer) must not keep an unattended run alive until CI's time limit.
npx jest --ci --maxWorkers="${CDP_TEST_WORKERS:-2}" --forceExit --json --outputFile="$REPORT" "$@" || rc=$?

[[ -f $REPORT ]] || die "jest wrote no report (exit $rc)"
node -e '
  const r = require(process.argv[1]);
  const skipped = r.numPendingTests + r.numTodoTests;
  if (r.numRuntimeErrorTestSuites > 0) {
    console.error(`${r.numRuntimeErrorTestSuites} test suite(s) failed to run`);
  }
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  process.exit(r.success && r.numFailedTests === 0 && r.numRuntimeErrorTestSuites === 0 ? 0 : 1);
' "$REPORT" || { [[ $rc -ne 0 ]] || rc=1; }
exit "$rc"
