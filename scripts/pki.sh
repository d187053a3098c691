#!/usr/bin/env bash
# Development PKI for Sentinel: one local CA and the TLS certificates, TLS keys and JWT signing
# keys that the services and the PostgreSQL cluster use on this machine. Never for production: the
# CA key lies unencrypted beside the certificates. Uses openssl only. Idempotent, and safe to run
# concurrently (one caller at a time holds DIR/.lock; files are renamed into place whole).
#
#   scripts/pki.sh [--dir D] ensure NAME...     the CA (ca.pem, ca-key.pem) and, for each NAME, a
#                                               certificate NAME.pem with key NAME-key.pem; a
#                                               certificate is re-issued when it is missing, not
#                                               signed by the current CA or expires within 30 days
#                                               (the CA is re-made when its key is lost or it
#                                               expires within 30 days; then every certificate is)
#   scripts/pki.sh [--dir D] signing-key NAME   JWT (RS256) signing key NAME-signing-key.pem and its
#                                               public key NAME-signing-public.pem
#   scripts/pki.sh [--dir D] path               print the directory
#
# Keys are PKCS#8 PEM ("BEGIN PRIVATE KEY"), which Java reads without extra libraries. A
# certificate is valid for DNS:NAME, DNS:localhost, 127.0.0.1 and ::1 and for both serverAuth and
# clientAuth, so one certificate serves a service's TLS port and its mutual-TLS calls. NAME matches
# ^[a-z][a-z0-9-]{0,62}$ (it becomes a DNS name and a file name).
# Directory: --dir D, else SENTINEL_PKI_DIR, else <repo>/.sentinel/pki (gitignored).
set -euo pipefail
umask 077

DIR="${SENTINEL_PKI_DIR:-$(cd "$(dirname "$0")/.." && pwd)/.sentinel/pki}"
if [[ ${1:-} == --dir ]]; then DIR="${2:?--dir needs a directory}"; shift 2; fi
RENEW_BEFORE=$((30 * 86400))

log() { echo "pki.sh: $*" >&2; }

check_name() {
  [[ $1 =~ ^[a-z][a-z0-9-]{0,62}$ ]] || { log "invalid name '$1': it must match ^[a-z][a-z0-9-]{0,62}\$"; exit 2; }
}

# openssl is chatty on stderr even when it succeeds: show its output only when it fails.
ossl() { openssl "$@" 2>"$TMP/err" || { cat "$TMP/err" >&2; exit 1; }; }

# One caller at a time. New files are made in a scratch directory inside DIR (same file system)
# and renamed into place, so nobody ever reads half a file.
lock() {
  (umask 022; mkdir -p "$DIR")  # certificates are public; the keys keep their own 0600
  exec 9>"$DIR/.lock"
  flock 9
}
scratch() {
  [[ -n ${TMP:-} ]] && return 0
  TMP=$(mktemp -d "$DIR/.tmp.XXXXXX")
  trap 'rm -rf "$TMP"' EXIT
}
publish() { chmod "$2" "$TMP/$1"; mv -f "$TMP/$1" "$DIR/$1"; }

# A key and a certificate that belong together: a half-replaced pair counts as missing.
pair() {
  local cert key
  cert=$(openssl x509 -in "$DIR/$1" -noout -pubkey 2>/dev/null) || return 1
  key=$(openssl pkey -in "$DIR/$2" -pubout 2>/dev/null) || return 1
  [[ -n $cert && $cert == "$key" ]]
}

# Signed by the current CA, and still valid (it and the CA) in 30 days: "openssl verify" at that
# time does both in one call, which matters because every "postgres.sh start" asks.
leaf_ok() {
  openssl verify -attime $((EPOCHSECONDS + RENEW_BEFORE)) -CAfile "$DIR/ca.pem" "$DIR/$1.pem" >/dev/null 2>&1 \
    && pair "$1.pem" "$1-key.pem"
}

new_ec_key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$TMP/$1"; }

# Checked in full only before signing with it: a CA about to expire already fails leaf_ok.
ensure_ca() {
  pair ca.pem ca-key.pem && openssl x509 -in "$DIR/ca.pem" -noout -checkend "$RENEW_BEFORE" >/dev/null && return 0
  scratch
  # Our own config: the system openssl.cnf would add its defaults to the CA's extensions.
  cat >"$TMP/ca.cnf" <<'CNF'
[req]
distinguished_name = dn
x509_extensions = ca
[dn]
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF
  new_ec_key ca-key.pem
  ossl req -new -x509 -config "$TMP/ca.cnf" -key "$TMP/ca-key.pem" -sha256 -days 3650 \
    -subj "/CN=Sentinel development CA $(uname -n)" -out "$TMP/ca.pem"
  publish ca-key.pem 600
  publish ca.pem 644
  log "created the development CA $DIR/ca.pem"
}

issue() {
  local name=$1
  scratch
  cat >"$TMP/$name.cnf" <<CNF
[req]
distinguished_name = dn
[dn]
[leaf]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:$name, DNS:localhost, IP:127.0.0.1, IP:0:0:0:0:0:0:0:1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
  new_ec_key "$name-key.pem"
  ossl req -new -config "$TMP/$name.cnf" -key "$TMP/$name-key.pem" -subj "/CN=$name" -out "$TMP/$name.csr"
  # 397 days: the CA/Browser Forum limit for server certificates, so no client finds it too long.
  ossl x509 -req -in "$TMP/$name.csr" -CA "$DIR/ca.pem" -CAkey "$DIR/ca-key.pem" \
    -set_serial "0x$(openssl rand -hex 16)" -days 397 -sha256 \
    -extfile "$TMP/$name.cnf" -extensions leaf -out "$TMP/$name.pem"
  publish "$name-key.pem" 600
  publish "$name.pem" 644
  log "issued $name certificate"
}

ensure() {
  [[ -f $DIR/ca-key.pem ]] && leaf_ok "$1" && return 0
  ensure_ca
  leaf_ok "$1" || issue "$1"
}

ensure_signing_key() {
  local key="$1-signing-key.pem" pub="$1-signing-public.pem"
  scratch
  if [[ ! -f $DIR/$key ]]; then
    ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TMP/$key"
    publish "$key" 600
    log "created $1 signing key"
  fi
  ossl pkey -in "$DIR/$key" -pubout -out "$TMP/$pub"
  cmp -s "$TMP/$pub" "$DIR/$pub" || publish "$pub" 644
}

cmd="${1:-}"; shift || true
case "$cmd" in
  ensure)
    (($#)) || { log "ensure needs at least one NAME"; exit 2; }
    for n in "$@"; do check_name "$n"; done
    lock
    for n in "$@"; do ensure "$n"; done ;;
  signing-key)
    (($# == 1)) || { log "signing-key needs exactly one NAME"; exit 2; }
    check_name "$1"
    lock
    ensure_signing_key "$1" ;;
  path) echo "$DIR" ;;
  *) echo "usage: $0 [--dir D] ensure NAME...|signing-key NAME|path" >&2; exit 2 ;;
esac
