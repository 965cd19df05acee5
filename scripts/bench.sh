#!/usr/bin/env bash
# npm run bench [-- SUITE...]: runs the benchmark suites against the local infrastructure and
# writes bench/results/latest.json.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

bash scripts/ensure-deps.sh
load_infra_env
[[ -f bench/run.ts ]] || die "bench/run.ts does not exist"
node -r @swc-node/register bench/run.ts "$@"
echo "results: $ROOT/bench/results/latest.json"
