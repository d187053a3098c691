#!/usr/bin/env bash
# The latency table of issue 18: fix-to-alert (alert-opening fixes) and evaluation of every fix, at
# 5,000 fixes/s, one subject in ten breaching, staggered gateways, N warm runs (default 10), worst
# and median run printed with the machine's load during each run.
#
#   bench/fix-to-alert.sh [runs]            e.g. bench/fix-to-alert.sh 10
#   RATE=5000 SECONDS_PER_RUN=30 SUBJECTS=500 ARRIVAL=staggered WARMUP=1 bench/fix-to-alert.sh
#
# Starts the suite with ./sentinel up if it is not running (set SENTINEL_PG_PORT etc. as for it).
# Each of the N rounds is two runs of FixToAlert on fresh subjects, each cleaning up after itself:
#   1. alerts: device times advance 30 s a fix so the dwell rule can open alerts; the latency of
#      each OPENED alert from the production of the fix that opened it to the subscriber;
#   2. every fix: the same subjects' shape and rate, each fix's device time = its production
#      instant; rules-svc's /api/v1/ops/evaluation-latency gives, for every fix, production to the
#      commit of its evaluation.
# WARMUP=1 (default) runs one round first that is not counted (the first run after a start is the
# cold-start table's, see bench/first-run.sh). Output: bench/target/fix-to-alert-<time>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/runs.sh
RUNS="${1:-10}"
RATE="${RATE:-5000}" SECONDS_PER_RUN="${SECONDS_PER_RUN:-30}" SUBJECTS="${SUBJECTS:-500}" ARRIVAL="${ARRIVAL:-staggered}"
bench_jar
suite_up
OUT="bench/target/fix-to-alert-$(date -u +%Y%m%dT%H%M%SZ).log"
run() { # mode label
  java -cp "$JAR" io.sentinel.bench.location.FixToAlert --token "$GW" --watch-token "$CW" --ops-token "$ADMIN" \
    --subjects "$SUBJECTS" --rate "$RATE" --seconds "$SECONDS_PER_RUN" --breach-every 10 --arrival "$ARRIVAL" \
    --device-time "$1" | sed "s/^RESULT /RESULT $2 /" | tee -a "$OUT"
}
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); java $(java -version 2>&1 | head -1)" | tee "$OUT"
if [[ ${WARMUP:-1} == 1 ]]; then
  echo "## warm-up round (not counted)"
  run schedule warmup >/dev/null; run produced warmup >/dev/null
fi
for i in $(seq 1 "$RUNS"); do
  echo "## round $i of $RUNS, load $(cut -d' ' -f1-3 /proc/loadavg)"
  run schedule "run=$i" ; run produced "run=$i"
done
grep '^RESULT run=.* mode=schedule' "$OUT" >"$OUT.alerts"
grep '^RESULT run=.* mode=produced' "$OUT" >"$OUT.every"
summarise "$OUT.alerts" alert_p99 "fix-to-alert p99 (ms, from the opening fix's production)"
summarise "$OUT.every" eval_p99 "evaluation p99 of every fix (ms, from production to committed evaluation)"
echo; echo "log: $OUT"
