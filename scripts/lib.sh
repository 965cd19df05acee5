# shellcheck shell=bash
# Shared helpers for scripts/*.sh (sourced, not run).
# shellcheck disable=SC2034  # RUN_DIR, LOG_DIR, CACHE_DIR are used by the scripts sourcing this file
# Layout: runtime state under ${CDP_DATA_DIR:-<repo>/.data}: run/ (pid files, rendered configs),
# logs/, kafka/ (broker storage), clickhouse/ (embedded ClickHouse).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${CDP_DATA_DIR:-$ROOT/.data}"
mkdir -p "$DATA_DIR"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
RUN_DIR="$DATA_DIR/run"
LOG_DIR="$DATA_DIR/logs"
CACHE_DIR="${CDP_CACHE_DIR:-$HOME/.cache/cdp}"

if [[ -t 2 ]]; then
  _bold=$'\e[1m' _red=$'\e[31m' _dim=$'\e[2m' _off=$'\e[0m'
else
  _bold='' _red='' _dim='' _off=''
fi

# Progress goes to stderr so that stdout stays machine-readable (infra-up.sh --env).
say() { printf '%s\n' "${_dim}[cdp]${_off} $*" >&2; }
warn() { printf '%s\n' "${_bold}[cdp] warning:${_off} $*" >&2; }
die() {
  printf '%s\n' "${_red}${_bold}[cdp] error:${_off} $*" >&2
  exit 1
}

# pid_of <pidfile> <cmdline-substring>: prints the pid if that process is alive AND is the one we
# started (its command line contains the substring), guarding against pid reuse after a reboot.
pid_of() {
  local file=$1 pattern=$2 pid
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pattern" || return 1
  printf '%s' "$pid"
}

# port_open <host> <port>: something accepts TCP connections there.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# stop_pid <pid> <name> [graceSeconds]: SIGTERM, then SIGKILL after the grace period.
stop_pid() {
  local pid=$1 name=$2 grace=${3:-20} i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { say "stopped $name (pid $pid)"; return 0; }
    sleep 0.1
  done
  warn "$name (pid $pid) ignored SIGTERM for ${grace}s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

# as_root <cmd...>: runs a command as root (directly, or through passwordless sudo).
# fd 9 is closed for the command: it may start daemons (pg_ctlcluster, apt's postinst), which would
# otherwise inherit infra-up.sh's lock and hold it forever.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@" 9>&-
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo -n "$@" 9>&-
  else
    die "need root to run: $* (install it by hand, or point the matching *_URL/KAFKA_BROKERS variable elsewhere)"
  fi
}

_apt_updated=0
# apt_install <package...>: Debian packages for tools the project needs (java, maven, postgresql).
apt_install() {
  command -v apt-get >/dev/null || die "cannot install $* automatically: no apt-get on this machine"
  if [[ $_apt_updated -eq 0 ]]; then
    say "apt-get update"
    as_root apt-get update -qq >&2
    _apt_updated=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# need <command> <debian-package>: installs the package when the command is missing.
need() {
  command -v "$1" >/dev/null || apt_install "$2"
  command -v "$1" >/dev/null || die "$1 still missing after installing $2"
}

# services: "name port" lines from infra/services.json.
services() {
  node -e '
    const { services } = require(process.argv[1]);
    for (const s of services) console.log(`${s.name} ${s.port}`);
  ' "$ROOT/infra/services.json"
}

# load_infra_env: runs infra-up.sh and exports what it resolved (KAFKA_BROKERS, DATABASE_URL,
# ADMIN_DATABASE_URL, CLICKHOUSE_URL or CLICKHOUSE_DATA_DIR) into this shell.
load_infra_env() {
  local out key value
  out=$(bash "$ROOT/scripts/infra-up.sh" --env) || die "infrastructure did not come up (see above)"
  while IFS='=' read -r key value; do
    [[ $key =~ ^[A-Z][A-Z0-9_]*$ ]] && export "$key=$value"
  done <<<"$out"
}

# http_status <url>: prints the HTTP status code (000 when nothing answers).
http_status() {
  if command -v curl >/dev/null; then
    curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" || true
  else
    node -e '
      fetch(process.argv[1], { signal: AbortSignal.timeout(3000) })
        .then((r) => console.log(r.status), () => console.log("000"));
    ' "$1"
  fi
}
