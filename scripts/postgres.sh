#!/usr/bin/env bash
# Provides the PostgreSQL that Sentinel's tests and local runs use: a throwaway cluster of the
# Debian PostgreSQL 15 packages, owned by a non-root user (PostgreSQL refuses to run as root),
# listening on 127.0.0.1 only. Installs the packages with apt when they are missing.
# Idempotent: "start" on a running cluster that is already as configured and "stop" on a stopped
# one do nothing.
#
# TCP takes TLS only, as in production, so a service that forgets to ask for TLS fails here too:
# pg_hba.conf rejects plaintext, and the server certificate comes from the development CA of
# scripts/pki.sh and names 127.0.0.1, ::1 and localhost, so clients can use sslmode=verify-full
# with the CA file that "ca" prints. Every "start" re-checks the certificate (pki.sh re-issues it
# before it expires), the TLS settings and pg_hba.conf, rewrites what differs and reloads a running
# cluster, so a cluster made by an older version of this script is converted in place, data kept.
# The unix socket in the data directory stays open for the script's own administration.
#
#   scripts/postgres.sh start            install if needed, init if needed, configure, start or
#                                        reload, wait until TCP behaves as configured
#   scripts/postgres.sh stop             fast shutdown
#   scripts/postgres.sh status           exit 0 when accepting connections
#   scripts/postgres.sh createdb NAME..  create databases that do not exist yet
#   scripts/postgres.sh psql [ARGS..]    psql into the cluster over TCP (TLS, verify-full, when on)
#   scripts/postgres.sh ca               print the path of the CA certificate clients must trust
#
# Environment: SENTINEL_PG_PORT (default 55432), SENTINEL_PG_DIR (default /var/tmp/sentinel-pg-<port>),
#              SENTINEL_PG_VERSION (default 15),
#              SENTINEL_PG_TLS (on|off, default on): off keeps, or turns back to, plaintext TCP, for
#                the test that proves a service told to require TLS refuses a server without it,
#              SENTINEL_PKI_DIR (default <repo>/.sentinel/pki): where scripts/pki.sh keeps the CA.
set -euo pipefail

PORT="${SENTINEL_PG_PORT:-55432}"
DIR="${SENTINEL_PG_DIR:-/var/tmp/sentinel-pg-${PORT}}"
VERSION="${SENTINEL_PG_VERSION:-15}"
BIN="/usr/lib/postgresql/${VERSION}/bin"
TLS="${SENTINEL_PG_TLS:-on}"
PKI_SH="$(dirname "$0")/pki.sh"
PKI="$("$PKI_SH" path)"
# The settings this script owns live in one file that postgresql.conf includes last (so they
# win): "start" rewrites it and a reload applies it, which options on the pg_ctl command line
# could not. max_connections and shared_buffers are there too, although they need a restart,
# because a reload would otherwise find initdb's values in postgresql.conf and log a conflict.
# (ALTER SYSTEM, in postgresql.auto.conf, still wins over this file.)
OWN_CONF=sentinel.conf
INCLUDE="include_if_exists '$OWN_CONF'"

log() { echo "postgres.sh: $*" >&2; }

[[ $TLS == on || $TLS == off ]] || { log "SENTINEL_PG_TLS must be on or off, not '$TLS'"; exit 2; }

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_packages() {
  [[ -x "$BIN/initdb" && -x "$BIN/pg_ctl" && -x /usr/bin/psql ]] && command -v openssl >/dev/null && return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "PostgreSQL ${VERSION} or openssl is not installed and installing needs root: apt-get install postgresql-${VERSION} openssl"
    exit 1
  fi
  log "installing postgresql-${VERSION} with apt"
  export DEBIAN_FRONTEND=noninteractive
  # The package's own cluster is not wanted: we run our own, on our own port.
  mkdir -p /etc/postgresql-common
  [[ -f /etc/postgresql-common/createcluster.conf ]] || echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  apt-get update -qq
  apt-get install -y -qq "postgresql-${VERSION}" postgresql-client openssl >/dev/null
}

# The script's own connections use the unix socket in $DIR: they reach this cluster and no other,
# and work whatever TCP demands.
ready() { "$BIN/pg_isready" -q -h "$DIR" -p "$PORT" -U postgres 2>/dev/null; }
admin_psql() { psql -h "$DIR" -p "$PORT" -U postgres -d postgres "$@"; }
db_psql() { local db="$1"; shift; psql -h "$DIR" -p "$PORT" -U postgres -d "$db" "$@"; }

# "put SRC DEST" and "put_text DEST TEXT" write DEST only when its content differs, so that an
# unchanged cluster is never reloaded; they set changed=1 when they write.
put() { cmp -s "$1" "$2" || install_new "$2" <"$1"; }
put_text() { [[ -f $1 && "$(<"$1")" == "$2" ]] || install_new "$1" < <(printf '%s\n' "$2"); }
install_new() {
  local new; new=$(mktemp "$1.XXXXXX")  # 0600; renamed into place whole
  cat >"$new"
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$new"; fi
  mv -f "$new" "$1"
  changed=1
}

# Makes the data directory say what SENTINEL_PG_TLS asks for.
configure() {
  local hba conf
  if [[ $TLS == on ]]; then
    "$PKI_SH" ensure postgres
    put "$PKI/postgres.pem" "$DIR/server.crt"
    put "$PKI/postgres-key.pem" "$DIR/server.key"
    put "$PKI/ca.pem" "$DIR/root.crt"  # for reference: no ssl_ca_file, no client presents a certificate
    hba='# Written by scripts/postgres.sh: TCP must use TLS, as in production, so a client that forgets to ask for it fails here too.
local all all trust
hostssl all all 127.0.0.1/32 trust
hostssl all all ::1/128 trust
hostnossl all all 0.0.0.0/0 reject
hostnossl all all ::/0 reject'
    conf="ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
ssl_min_protocol_version = 'TLSv1.2'"
  else
    hba='# Written by scripts/postgres.sh with SENTINEL_PG_TLS=off: plaintext TCP, to prove that clients told to require TLS refuse it.
local all all trust
host all all 127.0.0.1/32 trust
host all all ::1/128 trust'
    conf="ssl = off"
  fi
  put_text "$DIR/pg_hba.conf" "$hba"
  put_text "$DIR/$OWN_CONF" "# Written by scripts/postgres.sh (SENTINEL_PG_TLS=$TLS); rewritten by every start.
max_connections = 400
shared_buffers = 256MB
$conf"
  grep -qxF "$INCLUDE" "$DIR/postgresql.conf" || { echo "$INCLUDE" >>"$DIR/postgresql.conf"; changed=1; }
}

plaintext_accepted() {
  psql "host=127.0.0.1 port=$PORT user=postgres dbname=postgres sslmode=disable connect_timeout=5" -tAc 'select 1' >/dev/null 2>&1
}
# The certificate a verify-full client gets on 127.0.0.1 (empty when TLS fails or does not verify).
served_certificate() {
  openssl s_client -starttls postgres -connect "127.0.0.1:$PORT" -CAfile "$PKI/ca.pem" -verify_ip 127.0.0.1 \
    -verify_return_error </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256 2>/dev/null || true
}
tcp_as_configured() {
  if [[ $TLS == off ]]; then plaintext_accepted; return; fi
  [[ $(served_certificate) == "$(openssl x509 -in "$DIR/server.crt" -noout -fingerprint -sha256)" ]] && ! plaintext_accepted
}
# A reload is asynchronous (SIGHUP): wait until TCP shows the new settings.
await_tcp() {
  local deadline=$((SECONDS + 10))
  until tcp_as_configured; do
    if ((SECONDS >= deadline)); then
      log "TCP on 127.0.0.1:$PORT does not behave as SENTINEL_PG_TLS=$TLS asks; last lines of $DIR/server.log:"
      tail -20 "$DIR/server.log" >&2
      rm -f "$DIR/$OWN_CONF"  # so that the next start, seeing a change, reloads and checks again
      exit 1
    fi
    sleep 0.1
  done
}

start() {
  install_packages
  local running=0 changed=0
  ready && running=1
  if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  mkdir -p "$DIR"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$DIR" && chmod 700 "$DIR"
  if [[ ! -f "$DIR/PG_VERSION" ]]; then
    log "initialising a cluster in $DIR"
    as_owner "$BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  configure
  if ((running)); then
    ((changed)) || return 0
    log "reloading the cluster on port $PORT: TLS settings, certificate or pg_hba.conf changed"
    as_owner "$BIN/pg_ctl" -D "$DIR" reload >/dev/null
  else
    # Our own socket directory and loopback only: nothing else on the machine is touched.
    as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1" \
      start >/dev/null || { log "start failed; last lines of $DIR/server.log:"; tail -20 "$DIR/server.log" >&2; exit 1; }
    for _ in $(seq 1 100); do ready && break; sleep 0.1; done
    ready || { log "cluster did not become ready on port $PORT"; exit 1; }
  fi
  await_tcp
}

stop() {
  [[ -f "$DIR/postmaster.pid" ]] || return 0
  as_owner "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true
}

# The role services run as (SENTINEL_DB_APP_ROLE, default sentinel_app): it owns the business tables,
# but not the audit log or its triggers, which stay with the role migrations run as (postgres here).
APP_ROLE="${SENTINEL_DB_APP_ROLE:-sentinel_app}"
ensure_app_role() {
  [[ "$APP_ROLE" =~ ^[a-z_][a-z0-9_]*$ ]] || { log "invalid role name: $APP_ROLE"; exit 2; }
  exists=$(admin_psql -tAc "select 1 from pg_roles where rolname = '$APP_ROLE'")
  [[ "$exists" == "1" ]] || admin_psql -qc "create role \"$APP_ROLE\" login nosuperuser nocreatedb nocreaterole noreplication" >/dev/null
}

createdb_all() {
  ensure_app_role
  for db in "$@"; do
    [[ "$db" =~ ^[a-z_][a-z0-9_]*$ ]] || { log "invalid database name: $db"; exit 2; }
    exists=$(admin_psql -tAc "select 1 from pg_database where datname = '$db'")
    [[ "$exists" == "1" ]] || admin_psql -qc "create database \"$db\"" >/dev/null
    # PostgreSQL 15 lets only the owner create in schema public; the service creates partitions.
    db_psql "$db" -qc "grant usage, create on schema public to \"$APP_ROLE\"" >/dev/null
  done
}

cmd="${1:-}"; shift || true
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) ready ;;
  createdb) createdb_all "$@" ;;
  # Over TCP like the services, so users see the path they take.
  psql)
    [[ $TLS == on ]] && export PGSSLMODE=verify-full PGSSLROOTCERT="$PKI/ca.pem"
    exec psql -h 127.0.0.1 -p "$PORT" -U postgres "$@" ;;
  ca) echo "$PKI/ca.pem" ;;
  *) echo "usage: $0 start|stop|status|createdb NAME...|psql [ARGS]|ca" >&2; exit 2 ;;
esac
