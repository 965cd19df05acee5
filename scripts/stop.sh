#!/usr/bin/env bash
# npm stop: stops the services npm start launched. With --all, also the Kafka broker that
# scripts/infra-up.sh started (Postgres, a system service, keeps running).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ALL=0
for arg in "$@"; do
  case $arg in
    --all) ALL=1 ;;
    -h | --help) sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $arg (try --help)" ;;
  esac
done

RUNNING=()
while read -r name _port; do
  if pid=$(pid_of "$RUN_DIR/$name.pid" "services/$name/dist/main.js"); then
    kill -TERM "$pid" 2>/dev/null || true
    RUNNING+=("$name $pid")
  fi
  rm -f "$RUN_DIR/$name.pid"
done < <(services)
# SIGTERM went to all at once (they shut down in parallel); now wait for each, escalating if needed.
for entry in "${RUNNING[@]}"; do
  read -r name pid <<<"$entry"
  stop_pid "$pid" "$name" 20
done
[[ ${#RUNNING[@]} -gt 0 ]] || say "no services running"

if [[ $ALL -eq 1 ]]; then
  bash "$ROOT/scripts/infra-down.sh"
fi
