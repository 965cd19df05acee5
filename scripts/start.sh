#!/usr/bin/env bash
# npm start: installs what is missing, brings up the infrastructure, runs each service's
# migrations, starts every service of infra/services.json in the background and prints their URLs.
# Idempotent: services (and infrastructure) already running are reused. `npm stop` stops them.
# Environment: CDP_START_TIMEOUT (seconds to wait for each /health, default 90), plus what
# scripts/infra-up.sh reads (KAFKA_BROKERS, DATABASE_URL, CLICKHOUSE_URL, CDP_DATA_DIR, ...).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

bash scripts/ensure-deps.sh
load_infra_env
# Services get the application database; the admin URL is for tests and tooling.
unset ADMIN_DATABASE_URL
mkdir -p "$RUN_DIR" "$LOG_DIR"

TIMEOUT=${CDP_START_TIMEOUT:-90}
mapfile -t SERVICES < <(services)
[[ ${#SERVICES[@]} -gt 0 ]] || die "infra/services.json lists no services"

fail_service() { # <name> <why>
  local log="$LOG_DIR/$1.log"
  if [[ -f $log ]]; then
    printf '%s\n' "--- last lines of $log ---" >&2
    tail -n 40 "$log" >&2
    printf '%s\n' "---" >&2
  fi
  die "$1: $2 (log: $log; npm stop stops the services already started)"
}

declare -A PIDS=()
for entry in "${SERVICES[@]}"; do
  read -r name port <<<"$entry"
  main="services/$name/dist/main.js"
  pidfile="$RUN_DIR/$name.pid"
  log="$LOG_DIR/$name.log"
  if pid=$(pid_of "$pidfile" "$main"); then
    say "$name: already running (pid $pid)"
    PIDS[$name]=$pid
    continue
  fi
  [[ -f $main ]] || die "$name: $main does not exist (nothing built for this service?)"
  if port_open 127.0.0.1 "$port"; then
    die "$name: port $port is taken by a process npm start did not start"
  fi
  printf '\n==== %s %s ====\n' "$(date -u +%FT%TZ)" "npm start" >>"$log"
  say "$name: migrations"
  PORT=$port node "$main" migrate </dev/null >>"$log" 2>&1 || fail_service "$name" "migrations failed"
  say "$name: starting on port $port"
  # setsid: services keep running after this script ends and ignore Ctrl-C aimed at npm.
  PORT=$port setsid node "$main" </dev/null >>"$log" 2>&1 &
  echo $! >"$pidfile"
  PIDS[$name]=$!
done

# Services boot in parallel; each gets its own deadline counted from here.
deadline=$((SECONDS + TIMEOUT))
for entry in "${SERVICES[@]}"; do
  read -r name port <<<"$entry"
  pid=${PIDS[$name]}
  until [[ $(http_status "http://127.0.0.1:$port/health") == 200 ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$RUN_DIR/$name.pid"
      fail_service "$name" "exited before answering GET /health"
    fi
    if ((SECONDS >= deadline)); then
      fail_service "$name" "GET http://127.0.0.1:$port/health did not answer 200 within ${TIMEOUT}s"
    fi
    sleep 0.5
  done
  say "$name: healthy"
done

echo
printf '%-14s %-24s %-32s %s\n' SERVICE API HEALTH METRICS
for entry in "${SERVICES[@]}"; do
  read -r name port <<<"$entry"
  url="http://127.0.0.1:$port"
  printf '%-14s %-24s %-32s %s\n' "$name" "$url" "$url/health" "$url/metrics"
done
echo
printf '%-14s %s\n' kafka "$KAFKA_BROKERS"
printf '%-14s %s\n' postgres "$(sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#' <<<"$DATABASE_URL")"
printf '%-14s %s\n' clickhouse "${CLICKHOUSE_URL:-embedded (chdb): $CLICKHOUSE_DATA_DIR}"
printf '%-14s %s\n' logs "$LOG_DIR/<service>.log"
echo
echo "stop with: npm stop   (npm stop -- --all also stops the Kafka broker)"
