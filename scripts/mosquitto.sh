#!/usr/bin/env bash
# Provides Sentinel's own MQTT broker for development and tests: the Debian Mosquitto 2.0, run
# from a directory of its own on its own port, never the Debian system service (other software on
# a machine may use that one, on 1883). OwnTracks phones publish their locations to it and
# location-svc subscribes.
#
# Why a broker of our own, and why this configuration: a device's MQTT user name is its Sentinel
# identity (its registered serial or UUID), so the broker must not accept anyone else's reports
# under that name:
#   - TLS only (TLS 1.2 minimum), on 127.0.0.1; there is no plaintext listener at all. The server
#     certificate comes from the development CA (scripts/pki.sh); clients trust that CA (`ca`).
#   - no anonymous clients; every device has its own password (`add-device`), location-svc has one
#     too (`service-credentials`, kept in <dir>/location-svc.password).
#   - an ACL: location-svc may only read owntracks/#; a device may only publish as itself, to
#     owntracks/<name>/<name> (and that topic's OwnTracks sub-topics, e.g. .../event), and read
#     nothing. The device level is bound, not only the user level, because location-svc takes
#     the Sentinel device from the topic's <device> level (OwnTracksParser.deviceIdFromTopic).
#     The OwnTracks app publishes to owntracks/<MQTT user>/<Device ID>: set both to the device's
#     Sentinel identifier.
# Password and ACL changes take effect without a restart (SIGHUP); a removed device that is still
# connected is disconnected by the reload. The server certificate is re-copied from the PKI and
# reloaded the same way when it changed.
#
#   scripts/mosquitto.sh start                 install if needed, configure, start, wait until a TLS
#                                              client can log in; on a running broker: re-sync the
#                                              certificate, credentials, ACL and config (reload on change)
#   scripts/mosquitto.sh stop                  stop the broker (nothing when it is not running)
#   scripts/mosquitto.sh status                exit 0 when running and accepting TLS logins
#   scripts/mosquitto.sh service-credentials   ensure the location-svc user; password in <dir>/location-svc.password
#   scripts/mosquitto.sh add-device NAME [PASSWORD]
#                                              add or replace a device's password (random when not given)
#                                              and print it on stdout
#   scripts/mosquitto.sh remove-device NAME    revoke a device (also disconnects it if connected)
#   scripts/mosquitto.sh ca                    print the path of the CA certificate clients must trust
#   scripts/mosquitto.sh path                  print the broker's directory
#
# Device names: 1 to 64 letters, digits and . _ - . A '/', '+', '#' or whitespace cannot be part of
# an MQTT topic level (and Mosquitto refuses '/', '+' and '#' in a user name used in ACL patterns);
# ':' separates name and hash in Mosquitto's password file. "location-svc" is reserved.
#
# Environment: SENTINEL_MQTT_PORT (default 58883), SENTINEL_MQTT_DIR (default
#              /var/tmp/sentinel-mqtt-<port>), SENTINEL_PKI_DIR (as scripts/pki.sh),
#              SENTINEL_PKI_SCRIPT (default: scripts/pki.sh next to this script; for tests).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${SENTINEL_MQTT_PORT:-58883}"
DIR="${SENTINEL_MQTT_DIR:-/var/tmp/sentinel-mqtt-${PORT}}"
PKI_SCRIPT="${SENTINEL_PKI_SCRIPT:-$ROOT/scripts/pki.sh}"
SERVICE_USER=location-svc
CONF="$DIR/mosquitto.conf"
PASSWD="$DIR/passwd"
ACL="$DIR/acl"
PIDFILE="$DIR/mosquitto.pid"
LOG="$DIR/mosquitto.log"
TLS="$DIR/tls"
SERVICE_PASSWORD="$DIR/location-svc.password"

log() { echo "mosquitto.sh: $*" >&2; }
die() { log "$*"; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# As root, Mosquitto drops to the "mosquitto" user before it reads its certificate, key, password
# and ACL files and writes its log and persistence file: those belong to that user.
owner_args() { if is_root; then echo "-o mosquitto -g mosquitto"; fi; }

install_packages() {
  local pkgs=()
  command -v mosquitto >/dev/null && command -v mosquitto_passwd >/dev/null || pkgs+=(mosquitto)
  command -v mosquitto_sub >/dev/null || pkgs+=(mosquitto-clients)
  ((${#pkgs[@]})) || return 0
  is_root || die "${pkgs[*]} not installed, and installing needs root: apt-get install ${pkgs[*]}"
  log "installing ${pkgs[*]} with apt"
  export DEBIAN_FRONTEND=noninteractive
  # The package's own system service is not ours: a policy-rc.d that refuses service starts keeps
  # the install from starting it (unless the machine already has a policy-rc.d of its own).
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && created_policy=1
  fi
  local rc=0
  { apt-get update -qq && apt-get install -y -qq "${pkgs[@]}" >/dev/null; } || rc=$?
  if ((created_policy)); then rm -f "$policy"; fi
  ((rc == 0)) || die "apt-get install ${pkgs[*]} failed"
  if [[ " ${pkgs[*]} " == *" mosquitto "* ]]; then
    # We installed it, so nobody relies on its service yet: keep it from starting at boot.
    deb-systemd-helper disable mosquitto.service >/dev/null 2>&1 || true
    update-rc.d mosquitto disable >/dev/null 2>&1 || true
  fi
}

check_port() {
  if ! [[ $PORT =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then
    die "SENTINEL_MQTT_PORT must be a port number, not '$PORT'"
  fi
}

# Device names become a topic level and a password file entry: see the header.
check_name() {
  local name="$1"
  [[ -n $name ]] || die "a device name is required"
  [[ $name == "$SERVICE_USER" ]] && die "'$SERVICE_USER' is reserved for location-svc (see service-credentials)"
  [[ $name =~ [/+#] ]] && die "device name '$name' contains '/', '+' or '#': MQTT topic levels cannot contain those, so the device could not publish to owntracks/<name>/<name>"
  [[ $name =~ [[:space:]] ]] && die "device name '$name' contains whitespace, which an MQTT topic level and the ACL file cannot hold"
  [[ $name == *:* ]] && die "device name '$name' contains ':', which Mosquitto's password file cannot hold (it separates name and hash)"
  ((${#name} <= 64)) || die "device name '$name' is longer than 64 characters"
  [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || die "device name '$name' may contain only letters, digits and . _ -"
}

pki_dir() {
  [[ -x $PKI_SCRIPT ]] || die "$PKI_SCRIPT is missing: it provides the broker's TLS certificate"
  "$PKI_SCRIPT" path
}

random_password() { openssl rand -base64 24 | tr '+/' '-_' | tr -d '=\n'; }

pid() { cat "$PIDFILE" 2>/dev/null || true; }

# A process that exists and is not a zombie (a daemon's exit may wait for its reaper a while).
alive() { kill -0 "$1" 2>/dev/null && [[ $(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) != Z ]]; }

# Our broker: the pid in our pid file is alive and is a mosquitto.
running() {
  local p; p=$(pid)
  [[ -n $p ]] && alive "$p" && [[ $(cat "/proc/$p/comm" 2>/dev/null) == mosquitto ]]
}

# SIGHUP: Mosquitto re-reads its config, password file, ACL and certificates. It logs
# "Reloading config." and reloads in the same turn of its (single-threaded) loop, so once that line
# is in the log, the next connection meets the new files.
reloads() { local n; n=$(grep -c 'Reloading config\.' "$LOG" 2>/dev/null) || true; echo "${n:-0}"; }

reload() {
  running || return 0
  local before; before=$(reloads)
  kill -HUP "$(pid)"
  for _ in $(seq 1 50); do
    (( $(reloads) > before )) && return 0
    sleep 0.1
  done
  log "the broker did not log a reload within 5 s; see $LOG"
}

# Copies SRC over DEST (mode MODE, owned by the broker's user) when their contents differ, and
# puts an unchanged DEST's owner and mode right. Returns 0 when it changed the contents.
sync_file() {
  local src="$1" dest="$2" mode="$3"
  if cmp -s "$src" "$dest" 2>/dev/null; then
    chmod "$mode" "$dest"
    if is_root; then chown mosquitto:mosquitto "$dest"; fi
    return 1
  fi
  # shellcheck disable=SC2046
  install -m "$mode" $(owner_args) "$src" "$dest"
}

prepare_dir() {
  mkdir -p "$DIR" "$TLS"
  if is_root; then
    id mosquitto >/dev/null 2>&1 || die "the mosquitto package did not create the 'mosquitto' user"
    chown mosquitto:mosquitto "$DIR" "$TLS"
  fi
  chmod 750 "$DIR"; chmod 700 "$TLS"
  [[ -f $PASSWD ]] || : > "$PASSWD"
  fix_passwd_owner
}

fix_passwd_owner() {
  chmod 600 "$PASSWD"
  if is_root; then chown mosquitto:mosquitto "$PASSWD"; fi
}

# Serialises the commands that change the password file (add-device, remove-device, start).
lock() {
  exec 9>"$DIR/.lock"
  flock -w 30 9 || die "another mosquitto.sh holds $DIR/.lock"
}

# The broker's certificate, key and CA: copies of the PKI's, readable by the broker's user only
# (the PKI directory may sit where that user cannot reach). Returns 0 when something changed.
sync_tls() {
  local pki changed=1
  "$PKI_SCRIPT" ensure mosquitto >/dev/null
  pki=$(pki_dir)
  for f in ca.pem mosquitto.pem mosquitto-key.pem; do
    [[ -s $pki/$f ]] || die "$pki/$f is missing after scripts/pki.sh ensure mosquitto"
  done
  sync_file "$pki/ca.pem" "$TLS/ca.pem" 644 && changed=0
  sync_file "$pki/mosquitto.pem" "$TLS/server.pem" 644 && changed=0
  sync_file "$pki/mosquitto-key.pem" "$TLS/server-key.pem" 600 && changed=0
  return $changed
}

has_user() { awk -F: -v u="$1" '$1 == u { found = 1 } END { exit !found }' "$PASSWD" 2>/dev/null; }

set_password() {
  mosquitto_passwd -b "$PASSWD" "$1" "$2" >/dev/null || die "mosquitto_passwd could not set the password of '$1'"
  fix_passwd_owner
}

# Returns 0 when it changed the password file.
ensure_service_user() {
  if [[ ! -s $SERVICE_PASSWORD ]]; then
    (umask 077; random_password > "$SERVICE_PASSWORD")
    chmod 600 "$SERVICE_PASSWORD"
    set_password "$SERVICE_USER" "$(cat "$SERVICE_PASSWORD")"
    return 0
  fi
  has_user "$SERVICE_USER" && return 1
  set_password "$SERVICE_USER" "$(cat "$SERVICE_PASSWORD")"
}

write_acl() {
  local tmp; tmp=$(mktemp)
  cat > "$tmp" <<'EOF'
# Written by scripts/mosquitto.sh on every start; edits are overwritten.
# Mosquitto checks a user's own lines first (deny before grant), then the patterns, which apply to
# every user; whatever matches nothing is denied.

# location-svc reads every device's reports and publishes nothing. The deny line takes away what
# the device patterns below would otherwise grant it (owntracks/location-svc/location-svc).
user location-svc
topic deny owntracks/location-svc/#
topic read owntracks/#

# A device (user name = its Sentinel identifier) publishes as itself only: location-svc takes the
# device from the topic's <device> level, so both levels are bound to the user name. The second
# line admits the OwnTracks sub-topics (owntracks/<user>/<device>/event, /info, ...).
# Devices read nothing.
pattern write owntracks/%u/%u
pattern write owntracks/%u/%u/+
EOF
  local rc=1
  sync_file "$tmp" "$ACL" 600 && rc=0
  rm -f "$tmp"
  return $rc
}

write_conf() {
  local tmp; tmp=$(mktemp)
  {
    echo "# Written by scripts/mosquitto.sh on every start; edits are overwritten."
    echo "# Sentinel's development broker: TLS only, on 127.0.0.1:$PORT."
    is_root && echo "user mosquitto"
    echo "pid_file $PIDFILE"
    echo "persistence true"
    echo "persistence_location $DIR/"
    echo "log_dest file $LOG"
    echo "log_timestamp_format %Y-%m-%dT%H:%M:%S"
    echo "allow_anonymous false"
    echo "password_file $PASSWD"
    echo "acl_file $ACL"
    echo
    echo "# The only listener: no plaintext port."
    echo "listener $PORT 127.0.0.1"
    echo "certfile $TLS/server.pem"
    echo "keyfile $TLS/server-key.pem"
    echo "cafile $TLS/ca.pem"
    echo "tls_version tlsv1.2"
    echo "require_certificate false"
  } > "$tmp"
  local rc=1
  # Read by the broker as root before it drops privileges, and by nobody else.
  cmp -s "$tmp" "$CONF" 2>/dev/null || { install -m 644 "$tmp" "$CONF"; rc=0; }
  rm -f "$tmp"
  return $rc
}

# A TLS connection, verified against our CA (and the 127.0.0.1 IP SAN), that logs in as
# location-svc and subscribes to owntracks/#.
probe() {
  timeout 5 mosquitto_sub -h 127.0.0.1 -p "$PORT" --cafile "$TLS/ca.pem" \
    -u "$SERVICE_USER" -P "$(cat "$SERVICE_PASSWORD")" -i "sentinel-probe-$$" \
    -t 'owntracks/#' -E >/dev/null
}

wait_ready() {
  for _ in $(seq 1 50); do probe 2>/dev/null && return 0; sleep 0.2; done
  log "broker on 127.0.0.1:$PORT does not accept a TLS login as $SERVICE_USER:"
  probe || true
  log "last lines of $LOG:"; tail -20 "$LOG" >&2 || true
  exit 1
}

start() {
  check_port
  install_packages
  prepare_dir
  lock
  local changed=0
  sync_tls && changed=1
  ensure_service_user && changed=1
  write_acl && changed=1
  write_conf && changed=1
  if running; then
    if ((changed)); then log "configuration changed: reloading the broker"; reload; fi
    wait_ready
    return 0
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "something else listens on 127.0.0.1:$PORT; choose another SENTINEL_MQTT_PORT"
  fi
  rm -f "$PIDFILE"
  # 9>&-: the daemon must not inherit (and keep) our lock.
  mosquitto -c "$CONF" -d 9>&- || { log "mosquitto did not start; last lines of $LOG:"; tail -20 "$LOG" >&2 || true; exit 1; }
  wait_ready
}

stop() {
  running || { rm -f "$PIDFILE"; return 0; }
  local p; p=$(pid)
  kill -TERM "$p"
  for _ in $(seq 1 100); do alive "$p" || { rm -f "$PIDFILE"; return 0; }; sleep 0.1; done
  die "mosquitto (pid $p) did not stop within 10 s"
}

status() { running && probe 2>/dev/null; }

service_credentials() {
  install_packages
  prepare_dir
  lock
  if ensure_service_user; then reload; fi
}

add_device() {
  local name="${1:-}" password="${2:-}"
  check_name "$name"
  [[ $# -le 2 ]] || die "usage: $0 add-device NAME [PASSWORD]"
  if [[ $# -eq 2 && -z $password ]]; then die "the password must not be empty"; fi
  [[ -n $password ]] || password=$(random_password)
  install_packages
  prepare_dir
  lock
  set_password "$name" "$password"
  reload
  echo "$password"
}

remove_device() {
  local name="${1:-}"
  check_name "$name"
  install_packages
  prepare_dir
  lock
  if ! has_user "$name"; then log "no device '$name' in $PASSWD"; return 0; fi
  mosquitto_passwd -D "$PASSWD" "$name" >/dev/null || die "mosquitto_passwd could not remove '$name'"
  fix_passwd_owner
  reload
}

cmd="${1:-}"; shift || true
case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  service-credentials) service_credentials ;;
  add-device) add_device "$@" ;;
  remove-device) remove_device "$@" ;;
  ca) echo "$(pki_dir)/ca.pem" ;;
  path) echo "$DIR" ;;
  *) echo "usage: $0 start|stop|status|service-credentials|add-device NAME [PASSWORD]|remove-device NAME|ca|path" >&2; exit 2 ;;
esac
