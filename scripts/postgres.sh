#!/usr/bin/env bash
# Provides the PostgreSQL that Sentinel's tests and local runs use: a throwaway cluster of the
# Debian PostgreSQL 15 packages, owned by a non-root user (PostgreSQL refuses to run as root),
# listening on 127.0.0.1 only. Installs the packages with apt when they are missing.
# Idempotent: "start" on a running cluster and "stop" on a stopped one do nothing.
#
#   scripts/postgres.sh start            install if needed, init if needed, start, wait until ready
#   scripts/postgres.sh stop             fast shutdown
#   scripts/postgres.sh status           exit 0 when accepting connections
#   scripts/postgres.sh createdb NAME..  create databases that do not exist yet
#   scripts/postgres.sh psql [ARGS..]    psql into the cluster
#
# Environment: SENTINEL_PG_PORT (default 55432), SENTINEL_PG_DIR (default /var/tmp/sentinel-pg-<port>),
#              SENTINEL_PG_VERSION (default 15).
set -euo pipefail

PORT="${SENTINEL_PG_PORT:-55432}"
DIR="${SENTINEL_PG_DIR:-/var/tmp/sentinel-pg-${PORT}}"
VERSION="${SENTINEL_PG_VERSION:-15}"
BIN="/usr/lib/postgresql/${VERSION}/bin"

log() { echo "postgres.sh: $*" >&2; }

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_packages() {
  [[ -x "$BIN/initdb" && -x "$BIN/pg_ctl" && -x /usr/bin/psql ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "PostgreSQL ${VERSION} is not installed and installing it needs root: apt-get install postgresql-${VERSION}"
    exit 1
  fi
  log "installing postgresql-${VERSION} with apt"
  export DEBIAN_FRONTEND=noninteractive
  # The package's own cluster is not wanted: we run our own, on our own port.
  mkdir -p /etc/postgresql-common
  [[ -f /etc/postgresql-common/createcluster.conf ]] || echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  apt-get update -qq
  apt-get install -y -qq "postgresql-${VERSION}" postgresql-client >/dev/null
}

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; }

start() {
  install_packages
  if ready; then return 0; fi
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  mkdir -p "$DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$DIR" && chmod 700 "$DIR"
  if [[ ! -f "$DIR/PG_VERSION" ]]; then
    log "initialising a cluster in $DIR"
    as_owner "$BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  # Our own socket directory and loopback only: nothing else on the machine is touched.
  as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=256MB" \
    start >/dev/null || { log "start failed; last lines of $DIR/server.log:"; tail -20 "$DIR/server.log" >&2; exit 1; }
  for _ in $(seq 1 100); do ready && return 0; sleep 0.1; done
  log "cluster did not become ready on port $PORT"; exit 1
}

stop() {
  [[ -f "$DIR/postmaster.pid" ]] || return 0
  as_owner "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true
}

createdb_all() {
  for db in "$@"; do
    [[ "$db" =~ ^[a-z_][a-z0-9_]*$ ]] || { log "invalid database name: $db"; exit 2; }
    exists=$(psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tAc "select 1 from pg_database where datname = '$db'")
    [[ "$exists" == "1" ]] || psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qc "create database \"$db\"" >/dev/null
  done
}

cmd="${1:-}"; shift || true
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) ready ;;
  createdb) createdb_all "$@" ;;
  psql) exec psql -h 127.0.0.1 -p "$PORT" -U postgres "$@" ;;
  *) echo "usage: $0 start|stop|status|createdb NAME...|psql [ARGS]" >&2; exit 2 ;;
esac
