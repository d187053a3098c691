#!/usr/bin/env bash
# The fault drill (a command, not a test; see bench/README.md "Fault drill"): starts the suite as
# ./sentinel up does (or uses the one running), then runs io.sentinel.bench.location.FaultDrill,
# which enrols subjects through enrollment-svc, streams real trips over IngestFixes and, one phase
# per fault, SIGKILLs each service in turn (starting it again with ./sentinel up) and restarts
# PostgreSQL, then prints per fault: fixes acknowledged / lost / duplicated and alerts expected /
# raised / missing / duplicated / false.
#
#   bench/drill.sh [FaultDrill options, e.g. --subjects 40 --interval-ms 200 --faults none,location-svc]
#
# Environment as for ./sentinel (SENTINEL_PG_PORT, SENTINEL_MQTT_PORT, SENTINEL_PORT_BASE, SENTINEL_HOME).
set -euo pipefail
cd "$(dirname "$0")/.."
export SENTINEL_PORT_BASE="${SENTINEL_PORT_BASE:-8080}"
# A loaded machine starts a service slowly; the drill's restarts go through ./sentinel up too.
export SENTINEL_READY_TIMEOUT="${SENTINEL_READY_TIMEOUT:-600}"
HOME_DIR="${SENTINEL_HOME:-$PWD/.sentinel}"
export SENTINEL_PKI_DIR="${SENTINEL_PKI_DIR:-$HOME_DIR/pki}"

./sentinel up >/dev/null
[[ -f bench/target/benchmarks.jar ]] || ./mvnw -q -B -pl bench -am package -DskipTests
GW=$(./sentinel token --roles device-gateway --sub drill-gateway)
CW=$(./sentinel token --roles caseworker,admin --sub drill-caseworker)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
exec java -Xmx512m -cp bench/target/benchmarks.jar io.sentinel.bench.location.FaultDrill \
  --home "$HOME_DIR" --pki "$SENTINEL_PKI_DIR" --port-base "$SENTINEL_PORT_BASE" --data ../shared/data \
  --token "$GW" --caseworker-token "$CW" "$@"
