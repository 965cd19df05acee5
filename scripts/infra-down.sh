#!/usr/bin/env bash
# Stops the Kafka broker scripts/infra-up.sh started (a broker it merely reused is left alone).
# Postgres is a system service shared with other work and keeps running.
#   --purge   also delete local data: the broker's log (.data/kafka) and embedded ClickHouse
#             (.data/clickhouse). Refused while services started by npm start still run.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PURGE=0
for arg in "$@"; do
  case $arg in
    --purge) PURGE=1 ;;
    -h | --help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option: $arg (try --help)" ;;
  esac
done

if pid=$(pid_of "$RUN_DIR/kafka.pid" kafka.Kafka); then
  stop_pid "$pid" "kafka broker" 60
else
  say "no Kafka broker started by infra-up is running"
fi
rm -f "$RUN_DIR/kafka.pid"

if [[ $PURGE -eq 1 ]]; then
  while read -r name _port; do
    if pid=$(pid_of "$RUN_DIR/$name.pid" "services/$name/dist/main.js"); then
      die "$name is still running (pid $pid): npm stop first"
    fi
  done < <(services)
  rm -rf "$DATA_DIR/kafka" "$DATA_DIR/clickhouse"
  say "deleted $DATA_DIR/kafka and $DATA_DIR/clickhouse"
fi
