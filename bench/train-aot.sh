#!/usr/bin/env bash
# Trains a JDK 25 AOT cache for each service on a real workload, so a freshly started service is
# quick from its first minute, not only to its first health check. The -Paot build trains the cache
# on start-up alone; this one records the suite while it ingests and evaluates fixes (the
# FixToAlert and IngestReplay benchmarks), so the cache also holds the classes of that path and
# their method profiles (JDK 25 starts compiling the hot methods earlier with them).
#
#   bench/train-aot.sh          then: SENTINEL_JAVA=$JDK25/bin/java ./sentinel up
#
# Stops the suite if it runs; starts it under JDK 25 recording; runs the workload (about two
# minutes); stops it, which writes the caches; installs each as <svc>/target/quarkus-app/app.aot,
# which ./sentinel up passes to a Java 25 or newer. A cache belongs to the jars it was trained with:
# after a rebuild, train again (a JVM given a stale cache says so and runs without it).
# Needs ../shared/data (the GO Track traces) and the built benchmarks jar.
#
# The suite is TLS only: the benchmarks verify it against the development CA and set up their
# subjects and devices as enrollment-svc, with its development credentials (--pki, see
# bench/README.md). Their people's tokens name the agency the suite runs as (SENTINEL_AGENCY_ID,
# default dev-agency): a deployment refuses tokens of agencies it does not serve.
set -euo pipefail
cd "$(dirname "$0")/.."
JDK25="${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
SERVICES=(enrollment-svc biometric-svc location-svc rules-svc)
[[ -x $JDK25/bin/java ]] || { echo "no JDK 25 at $JDK25 (set JDK25)"; exit 1; }
[[ -f bench/target/benchmarks.jar ]] || ./mvnw -q -B -pl bench -am package -DskipTests
# Where ./sentinel keeps its PKI and pid files.
HOME_DIR="${SENTINEL_HOME:-$PWD/.sentinel}"
PKI="${SENTINEL_PKI_DIR:-$HOME_DIR/pki}"

./sentinel down
for s in "${SERVICES[@]}"; do rm -f "$s/target/quarkus-app/app.aot"; done # not read while recording
OUT=$(mktemp -d)
SENTINEL_JAVA="$JDK25/bin/java" SENTINEL_JAVA_OPTS="-Xmx256m -XX:AOTCacheOutput=$OUT/%p.aot" ./sentinel up >/dev/null
declare -A PID
for s in "${SERVICES[@]}"; do PID[$s]=$(cat "$HOME_DIR/run/$s.pid"); done

AG="${SENTINEL_AGENCY_ID:-dev-agency}"
# The gateway's sub (aot-training) is what the benchmarks bind their devices to; admin reads the ops endpoint.
GW=$(./sentinel token --agency "$AG" --roles device-gateway,admin --sub aot-training)
CW=$(./sentinel token --agency "$AG" --roles caseworker --sub aot-training)
for _ in 1 2; do
  java -cp bench/target/benchmarks.jar io.sentinel.bench.location.FixToAlert --pki "$PKI" \
    --token "$GW" --watch-token "$CW" --subjects 500 --rate 5000 --seconds 30 --breach-every 10
done
java -cp bench/target/benchmarks.jar io.sentinel.bench.location.IngestReplay --target localhost:8083 --pki "$PKI" \
  --token "$GW" --assign 500 --seconds 30 --streams 8 --batch 100 --rate 5000

# Each JVM writes its cache as it exits; wait for that rather than ./sentinel down's time limit.
for s in "${SERVICES[@]}"; do
  kill "${PID[$s]}"
  while kill -0 "${PID[$s]}" 2>/dev/null; do sleep 0.5; done
  rm -f "$HOME_DIR/run/$s.pid"
done
./sentinel down
for s in "${SERVICES[@]}"; do
  f="$OUT/pid${PID[$s]}.aot" # %p is written as pid<number>
  [[ -s $f ]] || { echo "no cache written for $s (see $HOME_DIR/logs/$s.log)"; exit 1; }
  mv "$f" "$s/target/quarkus-app/app.aot"
  echo "$s: $(du -m "$s/target/quarkus-app/app.aot" | cut -f1) MB AOT cache installed"
done
rm -rf "$OUT"
