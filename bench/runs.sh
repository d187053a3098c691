# Shared by the table scripts of bench/ (sourced, not run): the suite, tokens, and the summary of
# N runs. Every measured command prints one "RESULT <what> key=value ..." line per measurement,
# with the machine's load during it; the table scripts keep those lines in a file and summarise.

# The benchmarks jar, built if missing (BUILD=1 rebuilds it).
bench_jar() {
  if [[ ! -f bench/target/benchmarks.jar || ${BUILD:-0} == 1 ]]; then
    ./mvnw -q -B -pl bench -am package -DskipTests
  fi
  JAR=bench/target/benchmarks.jar
}

# The suite of ./sentinel up (started if it is not running) and the tokens the benchmarks use:
# GW streams fixes (device-gateway), CW watches alerts (caseworker), ADMIN reads the ops endpoints.
suite_up() {
  ./sentinel up >/dev/null
  GW=$(./sentinel token --roles device-gateway --sub bench)
  CW=$(./sentinel token --roles caseworker --sub bench)
  ADMIN=$(./sentinel token --roles admin --sub bench-ops)
}

# The value of key in a RESULT line.
result_value() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

# summarise FILE KEY LABEL: of the RESULT lines in FILE, the run with the worst (highest) KEY and the
# median run by KEY, each as its whole line, then every run's KEY with its load.
summarise() {
  local file=$1 key=$2 label=$3 n
  n=$(grep -c '^RESULT' "$file" || true)
  ((n > 0)) || { echo "$label: no completed run"; return; }
  local sorted
  sorted=$(grep '^RESULT' "$file" | while read -r line; do echo "$(result_value "$line" "$key") $line"; done | sort -g)
  echo
  echo "== $label over $n run(s), by $key"
  echo "worst run:  $(tail -1 <<<"$sorted" | cut -d' ' -f2-)"
  echo "median run: $(sed -n "$(((n + 1) / 2))p" <<<"$sorted" | cut -d' ' -f2-)"
  echo "every run ($key, mean/max 1-min load during it):"
  grep '^RESULT' "$file" | while read -r line; do
    printf '  %s  (load %s / %s)\n' "$(result_value "$line" "$key")" "$(result_value "$line" load_mean)" "$(result_value "$line" load_max)"
  done
}
