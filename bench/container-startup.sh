#!/usr/bin/env bash
# Start-up time to readiness and RSS of each service inside its container, as the chart runs it:
# builds the images (scripts/images.sh), brings the rendered workloads up under Podman with
# PodmanDeploymentIT, then restarts each service's container RUNS times, polling its readiness
# endpoint every 100 ms, and prints a Markdown table (also in system-tests/target/podman/startup.md).
# Needs root (rootful Podman) and the services built (./mvnw -q package -DskipTests).
#
#   bench/container-startup.sh [RUNS]     default 3
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-3}"
export SENTINEL_PG_PORT="${SENTINEL_PG_PORT:-55432}" SENTINEL_MQTT_PORT="${SENTINEL_MQTT_PORT:-58883}"
./mvnw -B -q -o verify -pl system-tests -Dit.test=PodmanDeploymentIT -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsentinel.podman.startup.runs="$RUNS" -DtrimStackTrace=false
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)"
cat system-tests/target/podman/startup.md
