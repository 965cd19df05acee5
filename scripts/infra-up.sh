#!/usr/bin/env bash
# Brings up (or finds) the infrastructure the services and tests need, then prints the endpoints:
#   Kafka       KAFKA_BROKERS, or a local Apache Kafka 3.9.1 KRaft broker built from Maven Central jars
#   Postgres    DATABASE_URL, or the local server on 127.0.0.1:5432 (Debian's, installed if missing)
#   ClickHouse  CLICKHOUSE_URL (checked), or embedded chdb with data under .data/clickhouse
# Idempotent and fast when everything already runs: anything answering is reused.
#
# Usage: scripts/infra-up.sh [--env]
#   --env   print KEY=value lines on stdout (KAFKA_BROKERS, DATABASE_URL, ADMIN_DATABASE_URL,
#           CLICKHOUSE_URL or CLICKHOUSE_DATA_DIR) instead of the table; progress stays on stderr.
# Environment: CDP_KAFKA_PORT (9092), CDP_KAFKA_CONTROLLER_PORT (9093), CDP_PG_PORT (5432),
#   CDP_DATA_DIR (.data), CDP_CACHE_DIR (~/.cache/cdp), CDP_KAFKA_START_TIMEOUT (120 s).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EMIT_ENV=0
for arg in "$@"; do
  case $arg in
    --env) EMIT_ENV=1 ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $arg (try --help)" ;;
  esac
done

KAFKA_VERSION=3.9.1
KAFKA_HOST=127.0.0.1
KAFKA_PORT=${CDP_KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${CDP_KAFKA_CONTROLLER_PORT:-9093}
KAFKA_LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
KAFKA_DATA="$DATA_DIR/kafka"
KAFKA_PID_FILE="$RUN_DIR/kafka.pid"
KAFKA_LOG="$LOG_DIR/kafka.log"
KAFKA_PROPS="$RUN_DIR/kafka-server.properties"
PG_HOST=127.0.0.1
PG_PORT=${CDP_PG_PORT:-5432}

mkdir -p "$RUN_DIR" "$LOG_DIR"
# One infra-up at a time (npm test and the jest global setup may both call it): a second caller
# waits here, then finds everything running. fd 9 must not leak into the broker (see start_kafka).
exec 9>"$RUN_DIR/infra-up.lock"
flock -w 900 9 || die "another infra-up.sh has held $RUN_DIR/infra-up.lock for 15 minutes"

# The readiness probes use the project's own drivers (kafkajs, pg).
if [[ ! -d $ROOT/node_modules/kafkajs || ! -d $ROOT/node_modules/pg ]]; then
  bash "$ROOT/scripts/ensure-deps.sh" >&2
fi

kafka_ready() { # <brokers> <timeoutSeconds> [pid]
  node "$ROOT/infra/kafka/await-kafka.js" "$@"
}

fetch_kafka_jars() {
  [[ -f $KAFKA_LIBS/.complete ]] && return
  need java default-jre-headless
  need mvn maven
  say "kafka: fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIBS"
  local tmp="$KAFKA_LIBS.partial.$$"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$KAFKA_LIBS")"
  local mvn_log="$LOG_DIR/kafka-maven.log"
  if ! mvn -B -Dstyle.color=never -f "$ROOT/infra/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$mvn_log" 2>&1; then
    rm -rf "$tmp"
    grep -E 'ERROR|BUILD' "$mvn_log" | tail -n 20 >&2 || true
    die "kafka: maven could not fetch the broker jars (full output in $mvn_log)"
  fi
  # Swap in whole so an interrupted download never leaves a half-filled libs/ marked complete.
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  date -u +%FT%TZ >"$KAFKA_LIBS/.complete"
}

KAFKA_JAVA=(java -Xmx512m -Xms128m -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j.configuration=file:$ROOT/infra/kafka/log4j.properties" -cp "$KAFKA_LIBS/*")

start_kafka() {
  fetch_kafka_jars
  need java default-jre-headless
  sed -e "s|@HOST@|$KAFKA_HOST|g" -e "s|@PORT@|$KAFKA_PORT|g" \
    -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" -e "s|@LOG_DIR@|$KAFKA_DATA|g" \
    "$ROOT/infra/kafka/server.properties.template" >"$KAFKA_PROPS"
  if [[ ! -f $KAFKA_DATA/meta.properties ]]; then
    say "kafka: formatting storage in $KAFKA_DATA"
    mkdir -p "$KAFKA_DATA"
    local cluster_id
    # The tool's log4j output shares stdout with the id: keep only the base64 UUID line.
    cluster_id=$("${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOG" | grep -E '^[A-Za-z0-9_-]{22}$' | tail -n 1) || true
    [[ -n $cluster_id ]] || die "kafka: StorageTool random-uuid printed no cluster id; see $KAFKA_LOG"
    "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_PROPS" >>"$KAFKA_LOG" 2>&1 ||
      die "kafka: formatting storage failed; see $KAFKA_LOG"
  fi
  say "kafka: starting broker on $KAFKA_HOST:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT), log $KAFKA_LOG"
  # setsid: the broker outlives this script and ignores Ctrl-C aimed at npm. 9>&- drops the lock.
  setsid "${KAFKA_JAVA[@]}" kafka.Kafka "$KAFKA_PROPS" </dev/null >>"$KAFKA_LOG" 2>&1 9>&- &
  echo $! >"$KAFKA_PID_FILE"
}

kafka_up() {
  if [[ -n ${KAFKA_BROKERS:-} ]]; then
    say "kafka: using KAFKA_BROKERS=$KAFKA_BROKERS"
    kafka_ready "$KAFKA_BROKERS" 30 || die "kafka: KAFKA_BROKERS=$KAFKA_BROKERS does not answer"
    return
  fi
  KAFKA_BROKERS="$KAFKA_HOST:$KAFKA_PORT"
  local pid
  if pid=$(pid_of "$KAFKA_PID_FILE" kafka.Kafka); then
    say "kafka: broker already running (pid $pid)"
  elif port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    if kafka_ready "$KAFKA_BROKERS" 10; then
      say "kafka: reusing the broker already answering on $KAFKA_BROKERS"
      return
    fi
    die "kafka: port $KAFKA_PORT is taken by something that is not a Kafka broker; set CDP_KAFKA_PORT or KAFKA_BROKERS"
  elif port_open "$KAFKA_HOST" "$KAFKA_CONTROLLER_PORT"; then
    die "kafka: controller port $KAFKA_CONTROLLER_PORT is taken; set CDP_KAFKA_CONTROLLER_PORT"
  else
    start_kafka
    pid=$(<"$KAFKA_PID_FILE")
  fi
  local rc=0
  kafka_ready "$KAFKA_BROKERS" "${CDP_KAFKA_START_TIMEOUT:-120}" "$pid" || rc=$?
  if [[ $rc -ne 0 ]]; then
    tail -n 30 "$KAFKA_LOG" >&2 || true
    die "kafka: broker did not become ready (last lines of $KAFKA_LOG above)"
  fi
  say "kafka: ready on $KAFKA_BROKERS (pid $pid)"
}

pg_answers() {
  if command -v pg_isready >/dev/null; then
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -t 3
  else
    port_open "$PG_HOST" "$PG_PORT"
  fi
}

# local_cluster: "<version> <name>" of the Debian cluster configured for $PG_PORT, if any.
local_cluster() {
  command -v pg_lsclusters >/dev/null || return 0
  pg_lsclusters -h 2>/dev/null | awk -v port="$PG_PORT" '$3 == port { print $1, $2; exit }'
}

install_postgres() {
  say "postgres: no server installed; installing Debian's postgresql"
  apt_install postgresql
  local cluster ver name
  cluster=$(local_cluster)
  [[ -n $cluster ]] || die "postgres: installed, but no cluster listens on port $PG_PORT (see pg_lsclusters)"
  read -r ver name <<<"$cluster"
  # Local development only: the superuser connects over loopback TCP without a password, like the
  # URLs this project defaults to (postgres://postgres@127.0.0.1:5432/...).
  as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' \
    "/etc/postgresql/$ver/$name/pg_hba.conf"
  # The package may have started the cluster already; a stopped one reads the file when started.
  if pg_answers; then as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" reload >&2; fi
}

postgres_up() {
  if [[ -n ${DATABASE_URL:-} ]]; then
    say "postgres: using DATABASE_URL"
    node "$ROOT/infra/postgres/ensure-database.js" "$DATABASE_URL" 30 || die "postgres: DATABASE_URL does not answer"
    APP_DATABASE_URL=$DATABASE_URL
    ADMIN_DATABASE_URL=$DATABASE_URL
    return
  fi
  ADMIN_DATABASE_URL="postgres://postgres@$PG_HOST:$PG_PORT/postgres"
  APP_DATABASE_URL="postgres://postgres@$PG_HOST:$PG_PORT/cdp"
  if pg_answers; then
    say "postgres: reusing the server on $PG_HOST:$PG_PORT"
  else
    local cluster ver name
    cluster=$(local_cluster)
    if [[ -z $cluster ]]; then
      if command -v pg_lsclusters >/dev/null && [[ -n $(pg_lsclusters -h 2>/dev/null) ]]; then
        die "postgres: nothing answers on $PG_HOST:$PG_PORT and no local cluster uses that port (see pg_lsclusters; or set DATABASE_URL)"
      fi
      install_postgres
      cluster=$(local_cluster)
    fi
    read -r ver name <<<"$cluster"
    say "postgres: starting cluster $ver/$name"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >&2 ||
      pg_answers || die "postgres: could not start cluster $ver/$name (see /var/log/postgresql/)"
  fi
  node "$ROOT/infra/postgres/ensure-database.js" "$ADMIN_DATABASE_URL" 60 cdp ||
    die "postgres: cannot connect as postgres on $PG_HOST:$PG_PORT (set DATABASE_URL to use another server)"
}

clickhouse_up() {
  if [[ -n ${CLICKHOUSE_URL:-} ]]; then
    say "clickhouse: using CLICKHOUSE_URL=$CLICKHOUSE_URL"
    node -e '
      fetch(new URL("/ping", process.argv[1]), { signal: AbortSignal.timeout(5000) })
        .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
    ' "$CLICKHOUSE_URL" || die "clickhouse: $CLICKHOUSE_URL/ping does not answer"
    return
  fi
  CLICKHOUSE_DATA_DIR=${CLICKHOUSE_DATA_DIR:-$DATA_DIR/clickhouse}
  mkdir -p "$CLICKHOUSE_DATA_DIR"
  [[ -d $ROOT/node_modules/chdb ]] || die "clickhouse: npm package chdb is missing; run npm ci"
  say "clickhouse: embedded (chdb), data in $CLICKHOUSE_DATA_DIR"
}

kafka_up
postgres_up
clickhouse_up

redact() { sed -E 's#(://[^:/@]*:)[^@]*@#\1***@#'; }

if [[ $EMIT_ENV -eq 1 ]]; then
  echo "KAFKA_BROKERS=$KAFKA_BROKERS"
  echo "DATABASE_URL=$APP_DATABASE_URL"
  echo "ADMIN_DATABASE_URL=$ADMIN_DATABASE_URL"
  if [[ -n ${CLICKHOUSE_URL:-} ]]; then echo "CLICKHOUSE_URL=$CLICKHOUSE_URL"; else echo "CLICKHOUSE_DATA_DIR=$CLICKHOUSE_DATA_DIR"; fi
else
  echo "infrastructure:"
  printf '  %-11s %s\n' kafka "$KAFKA_BROKERS"
  printf '  %-11s %s\n' postgres "$(redact <<<"$APP_DATABASE_URL")"
  if [[ -n ${CLICKHOUSE_URL:-} ]]; then
    printf '  %-11s %s\n' clickhouse "$CLICKHOUSE_URL"
  else
    printf '  %-11s %s\n' clickhouse "embedded (chdb): $CLICKHOUSE_DATA_DIR"
  fi
fi
