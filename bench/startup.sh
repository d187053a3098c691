#!/usr/bin/env bash
# Start-up time and memory of the services on JDK 17, on JDK 25, and on JDK 25 with the AOT cache
# Quarkus trains at build time (the fast-start substitute for native executables, which cannot be
# built here). Needs a JDK 25 at $JDK25 and the project's PostgreSQL (scripts/postgres.sh start).
#
#   bench/startup.sh [runs] [service...]        e.g. bench/startup.sh 5 rules-svc enrollment-svc
#   CONFIGS="jdk17 jdk25+aot" bench/startup.sh  only these configurations (default: all four)
#
# It builds the services with -Paot under JDK 25 unless SKIP_BUILD=1 (then it uses what is in
# <svc>/target/quarkus-app, which must contain app.aot for the +aot configurations). Prints one line
# per configuration: median wall time from exec to /q/health/started answering 200, and RSS at that
# moment.
#
# Each service starts as ./sentinel up starts it (the env of start_service in ../sentinel, which is
# the reference): production mode, TLS only with its certificate from the development PKI
# (.sentinel/pki, or SENTINEL_PKI_DIR; made here if missing), its own token key and the peers'
# public keys, the development identity provider's issuer, audience and key, PostgreSQL over
# verified TLS; MQTT off and no peers running, as neither is part of start-up. The health check is
# HTTPS, verified against the CA. It uses its own port (18090) and databases (startup_<svc>), so it
# can run beside a suite.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"; shift || true
SERVICES=("${@:-rules-svc enrollment-svc}"); read -r -a SERVICES <<<"${SERVICES[*]}"
read -r -a CONFIGS <<<"${CONFIGS:-jdk17 jdk25 jdk25+aot jdk25+aot+serialgc}"
JDK17="${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}"
JDK25="${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
PORT=18090
ALL_SERVICES=(enrollment-svc biometric-svc location-svc rules-svc)
# As ./sentinel: the PKI directory, the agency and the development identity provider.
export SENTINEL_PKI_DIR="${SENTINEL_PKI_DIR:-${SENTINEL_HOME:-$PWD/.sentinel}/pki}"
PKI="$SENTINEL_PKI_DIR"
AGENCY="${SENTINEL_AGENCY_ID:-dev-agency}"
ISSUER="https://sentinel.local/dev"
AUDIENCE="sentinel-$AGENCY"
scripts/pki.sh ensure "${ALL_SERVICES[@]}"
for s in "${ALL_SERVICES[@]}" dev-idp; do scripts/pki.sh signing-key "$s"; done
KEYS=$(mktemp -d)
trap 'rm -rf "$KEYS"' EXIT
mkdir "$KEYS/peers"
for s in "${ALL_SERVICES[@]}"; do cp "$PKI/$s-signing-public.pem" "$KEYS/peers/$s.pem"; done
(umask 077; openssl rand -base64 32 >"$KEYS/template.key")
scripts/postgres.sh start
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  list=$(IFS=,; echo "${SERVICES[*]}")
  JAVA_HOME="$JDK25" ./mvnw -q -B -DskipTests -Paot -pl "$list" -am package
fi

measure() { # java-binary extra-opts... ; prints "millis rss_kb"
  local java=$1; shift
  local start end pid rss deadline=$((SECONDS + 300))
  start=$(date +%s%N)
  # Peers point at a port nothing listens on: no peer runs, and none is needed to start.
  env QUARKUS_HTTP_PORT=$PORT \
      DB_URL="postgresql://127.0.0.1:${SENTINEL_PG_PORT:-55432}/startup_${svc//-/_}" DB_USERNAME=sentinel_app \
      DB_PASSWORD=unused-with-local-trust DB_CA_FILE="$PKI/ca.pem" \
      DB_MIGRATION_USERNAME=postgres DB_MIGRATION_PASSWORD=unused-with-local-trust \
      AUDIT_KEY_FILE="$KEYS/$svc-audit.key" AUDIT_CHECKPOINT_DIR="$KEYS/audit-checkpoints" \
      JWT_VERIFY_KEY_LOCATION="$PKI/dev-idp-signing-public.pem" JWT_ISSUER="$ISSUER" JWT_AUDIENCE="$AUDIENCE" \
      SERVICE_TOKEN_KEY_LOCATION="$PKI/$svc-signing-key.pem" SERVICE_TOKEN_PEER_KEYS_DIR="$KEYS/peers" \
      TLS_CERT_FILE="$PKI/$svc.pem" TLS_KEY_FILE="$PKI/$svc-key.pem" TLS_CA_FILE="$PKI/ca.pem" \
      SENTINEL_AGENCY_ID="$AGENCY" SENTINEL_MQTT_ENABLED=false \
      BIOMETRIC_TEMPLATE_KEY="$(cat "$KEYS/template.key")" \
      ENROLLMENT_GRPC_HOST=127.0.0.1 ENROLLMENT_GRPC_PORT=1 BIOMETRIC_GRPC_HOST=127.0.0.1 BIOMETRIC_GRPC_PORT=1 \
      LOCATION_GRPC_HOST=127.0.0.1 LOCATION_GRPC_PORT=1 RULES_GRPC_HOST=127.0.0.1 RULES_GRPC_PORT=1 \
      QUARKUS_LOG_LEVEL=WARN \
      "$java" "$@" -jar "$APP/quarkus-run.jar" >"$KEYS/last.log" 2>&1 &
  pid=$!
  until curl -fs --cacert "$PKI/ca.pem" "https://127.0.0.1:$PORT/q/health/started" >/dev/null 2>&1; do
    if ! kill -0 $pid 2>/dev/null; then
      echo "failed to start: $java $* (last lines of its log:)" >&2; tail -20 "$KEYS/last.log" >&2; exit 1
    fi
    if ((SECONDS > deadline)); then
      echo "not started after 300 s: $java $*" >&2; tail -20 "$KEYS/last.log" >&2; kill $pid; exit 1
    fi
    sleep 0.01
  done
  end=$(date +%s%N)
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill $pid; wait $pid 2>/dev/null || true
  echo "$(( (end - start) / 1000000 )) $rss"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); runs per configuration: $RUNS"
for svc in "${SERVICES[@]}"; do
  APP="$svc/target/quarkus-app"
  scripts/postgres.sh createdb "startup_${svc//-/_}"
  for name in "${CONFIGS[@]}"; do
    case "$name" in
      jdk17) cmd="$JDK17/bin/java" ;;
      jdk25) cmd="$JDK25/bin/java" ;;
      jdk25+aot) cmd="$JDK25/bin/java -XX:AOTCache=$APP/app.aot" ;;
      jdk25+aot+serialgc) cmd="$JDK25/bin/java -XX:AOTCache=$APP/app.aot -XX:+UseSerialGC -XX:TieredStopAtLevel=1" ;;
      *) echo "unknown configuration $name (jdk17, jdk25, jdk25+aot, jdk25+aot+serialgc)"; exit 2 ;;
    esac
    [[ $name != *aot* || -f $APP/app.aot ]] || { echo "$APP/app.aot missing: build with -Paot under JDK 25"; exit 1; }
    times=(); rsss=()
    for _ in $(seq 1 "$RUNS"); do
      read -r t r < <(measure $cmd)
      times+=("$t"); rsss+=("$r")
    done
    printf '%-15s %-20s start-to-ready median %5d ms   RSS median %4d MB\n' "$svc" "$name" \
      "$(printf '%s\n' "${times[@]}" | median)" "$(( $(printf '%s\n' "${rsss[@]}" | median) / 1024 ))"
  done
done
