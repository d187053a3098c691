#!/usr/bin/env bash
# The zone-evaluation table: ZoneIndex against JTS STRtree (warmed to steady state: 5 warm-up
# iterations of 2 s before 5 measured ones) and PostGIS, one query per fix and one query per batch
# of 1,024 fixes (unnest), all workloads; the load printed before and after.
#
#   bench/zone-index.sh                 JMH_ARGS="-wi 5 -i 5 -f 1" by default
#   JMH_ARGS="-wi 10 -i 10 -f 3" bench/zone-index.sh ZoneEvaluation.jtsStrtreePrepared
#
# PostGIS runs in a scratch database sentinel_bench of the suite's cluster (SENTINEL_PG_PORT, TLS
# verified against the development CA), created here; PostGIS must be installed
# (apt-get install postgresql-15-postgis-3), else those benchmarks are skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/runs.sh
export SENTINEL_PKI_DIR="${SENTINEL_PKI_DIR:-$PWD/.sentinel/pki}"
bench_jar
scripts/postgres.sh start >/dev/null
scripts/postgres.sh createdb sentinel_bench >/dev/null
URL="jdbc:postgresql://127.0.0.1:${SENTINEL_PG_PORT:-5432}/sentinel_bench?user=postgres&sslmode=verify-full&sslrootcert=$SENTINEL_PKI_DIR/ca.pem"
echo "# $(date -u +%FT%TZ) $(nproc) cores; load before: $(cat /proc/loadavg)"
java -Dsentinel.bench.jdbcUrl="$URL" -jar "$JAR" "${1:-ZoneEvaluation}" ${JMH_ARGS:--wi 5 -i 5 -f 1}
echo "# load after: $(cat /proc/loadavg)"
