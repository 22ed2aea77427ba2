#!/usr/bin/env bash
# The run journal's cost (README "Durable runs"): the orchestration benchmark (beam search N=16 on
# the zero-latency synthetic backend, the shipped configuration) over QUESTIONS questions, in memory
# and with every result journaled to a fresh embedded H2 store, alternating ROUNDS times so that a
# busy moment hits both alike. Prints each run and the store/in-memory ratio of questions/s.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl bench -am -DskipTests package
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
JAVA_OPTS=${JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC}
n=${QUESTIONS:-10000}
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench() {
  # shellcheck disable=SC2086
  java $JAVA_OPTS -Dslf4j.internal.verbosity=ERROR -cp "$CP" \
    io.reckon.bench.orchestration.OrchestrationBench --questions "$n" --strategy beam:m=4 --budget 16 "$@"
}
declare -a mem store
for round in $(seq 1 "${ROUNDS:-2}"); do
  out=$(bench); echo "$out"
  mem+=("$(echo "$out" | sed -n 's/.*| \([0-9]*\) questions\/s.*/\1/p')")
  out=$(bench --store "$work/store-$round"); echo "$out"
  store+=("$(echo "$out" | sed -n 's/.*| \([0-9]*\) questions\/s.*/\1/p')")
done
echo "questions/s in memory: ${mem[*]}; with the H2 journal: ${store[*]}"
python3 - "${mem[*]}" "${store[*]}" <<'PY'
import sys
m = [float(x) for x in sys.argv[1].split()]
s = [float(x) for x in sys.argv[2].split()]
print(f"store / in-memory throughput (best of each): {max(s) / max(m):.0%}; "
      f"(mean of each): {sum(s) / len(s) / (sum(m) / len(m)):.0%}")
PY
