#!/usr/bin/env bash
# Durable ingestion against what the database can take here, in the same run: N rounds (default
# 10) of PgCeiling (COPY and location-svc's multi-row INSERT into a table of the fix table's shape,
# same cluster) and IngestReplay at maximum rate through location-svc, each round printing the
# ratio ingest ÷ the best ceiling of that round; worst and median round, with the load of each.
#
#   bench/ingest-ceiling.sh [runs]               e.g. bench/ingest-ceiling.sh 10
#   SECONDS_PER_RUN=60 CLIENTS=1,8 BATCH=500 bench/ingest-ceiling.sh
#
# Starts the suite with ./sentinel up if it is not running. The ceiling connects as postgres to
# the suite's cluster (SENTINEL_PG_PORT, TLS verified against the development CA) and drops its
# scratch table when done. Output: bench/target/ingest-ceiling-<time>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/runs.sh
RUNS="${1:-10}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-60}" CLIENTS="${CLIENTS:-1,8}" BATCH="${BATCH:-500}"
export SENTINEL_PKI_DIR="${SENTINEL_PKI_DIR:-$PWD/.sentinel/pki}"
bench_jar
suite_up
OUT="bench/target/ingest-ceiling-$(date -u +%Y%m%dT%H%M%SZ).log"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); java $(java -version 2>&1 | head -1)" | tee "$OUT"
for i in $(seq 1 "$RUNS"); do
  echo "## round $i of $RUNS, load $(cut -d' ' -f1-3 /proc/loadavg)"
  ceiling=$(java -cp "$JAR" io.sentinel.bench.location.PgCeiling --seconds "$SECONDS_PER_RUN" --batch "$BATCH" --clients "$CLIENTS" \
    | tee -a "$OUT" | grep '^RESULT' | while read -r l; do result_value "$l" rows_per_s; done | sort -g | tail -1)
  line=$(java -cp "$JAR" io.sentinel.bench.location.IngestReplay --target localhost:8083 --token "$GW" --ops-token "$ADMIN" \
    --assign 500 --seconds "$SECONDS_PER_RUN" --streams 8 --batch "$BATCH" | tee -a "$OUT" | grep '^RESULT')
  ingest=$(result_value "$line" fixes_per_s)
  ratio=$(awk -v a="$ingest" -v b="$ceiling" 'BEGIN { printf "%.2f", a / b }')
  echo "RESULT run=$i ratio=$ratio ingest=$ingest ceiling=$ceiling load_mean=$(result_value "$line" load_mean) load_max=$(result_value "$line" load_max)" \
    | tee -a "$OUT" | tee -a "$OUT.ratio"
done
# The worst run is the lowest ratio: summarise sorts descending values, so negate for the sort.
sed 's/ ratio=\([0-9.]*\)/ ratio=\1 neg_ratio=-\1/' "$OUT.ratio" >"$OUT.sorted"
summarise "$OUT.sorted" neg_ratio "ingest ÷ database ceiling (worst = lowest ratio; neg_ratio is its negative)"
echo; echo "log: $OUT"
