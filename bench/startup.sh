#!/usr/bin/env bash
# Start-up time and memory of the services on JDK 17, on JDK 25, and on JDK 25 with the AOT cache
# Quarkus trains at build time (the fast-start substitute for native executables, which cannot be
# built here). Needs a JDK 25 at $JDK25 and the project's PostgreSQL (scripts/postgres.sh start).
#
#   bench/startup.sh [runs] [service...]        e.g. bench/startup.sh 5 rules-svc enrollment-svc
#
# It builds the services with -Paot under JDK 25 unless SKIP_BUILD=1 (then it uses what is in
# <svc>/target/quarkus-app, which must contain app.aot). Prints one line per configuration:
# median wall time from exec to /q/health/started answering 200, and RSS at that moment.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"; shift || true
SERVICES=("${@:-rules-svc enrollment-svc}"); read -r -a SERVICES <<<"${SERVICES[*]}"
JDK17="${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}"
JDK25="${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
PORT=18090
KEYS=$(mktemp -d)
trap 'rm -rf "$KEYS"' EXIT
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KEYS/k.pem" 2>/dev/null
openssl pkey -in "$KEYS/k.pem" -pubout -out "$KEYS/pub.pem"
scripts/postgres.sh start
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  list=$(IFS=,; echo "${SERVICES[*]}")
  JAVA_HOME="$JDK25" ./mvnw -q -B -DskipTests -Paot -pl "$list" -am package
fi

measure() { # java-binary extra-opts... ; prints "millis rss_kb"
  local java=$1; shift
  local start end pid rss
  start=$(date +%s%N)
  env QUARKUS_HTTP_PORT=$PORT DB_URL="postgresql://127.0.0.1:${SENTINEL_PG_PORT:-55432}/startup_${svc//-/_}" DB_USERNAME=postgres \
      JWT_VERIFY_KEY_LOCATION="$KEYS/pub.pem" SERVICE_TOKEN_KEY_LOCATION="$KEYS/k.pem" \
      QUARKUS_LOG_LEVEL=WARN \
      "$java" "$@" -jar "$APP/quarkus-run.jar" >/dev/null 2>&1 &
  pid=$!
  until curl -fs "http://127.0.0.1:$PORT/q/health/started" >/dev/null 2>&1; do
    kill -0 $pid 2>/dev/null || { echo "failed to start: $java $*" >&2; exit 1; }
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
  [[ -f $APP/app.aot ]] || { echo "$APP/app.aot missing: build with -Paot under JDK 25"; exit 1; }
  for cfg in "jdk17|$JDK17/bin/java" "jdk25|$JDK25/bin/java" "jdk25+aot|$JDK25/bin/java -XX:AOTCache=$APP/app.aot" \
             "jdk25+aot+serialgc|$JDK25/bin/java -XX:AOTCache=$APP/app.aot -XX:+UseSerialGC -XX:TieredStopAtLevel=1"; do
    name=${cfg%%|*}; cmd=${cfg#*|}
    times=(); rsss=()
    for _ in $(seq 1 "$RUNS"); do
      read -r t r < <(measure $cmd)
      times+=("$t"); rsss+=("$r")
    done
    printf '%-15s %-20s start-to-ready median %5d ms   RSS median %4d MB\n' "$svc" "$name" \
      "$(printf '%s\n' "${times[@]}" | median)" "$(( $(printf '%s\n' "${rsss[@]}" | median) / 1024 ))"
  done
done
