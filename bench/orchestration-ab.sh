#!/usr/bin/env bash
# Before/after of the orchestration benchmark (bench/orchestration.sh's beam:m=4, budget 16,
# 10,000 questions, synthetic zero-latency backend), alternating a baseline build and this one
# under one hold of the bench lock, so both see the same machine. Prints wall time and load for
# every run; compare the pairs, not single runs, on a shared machine.
#
#   bench/orchestration-ab.sh BASELINE_DIR [PAIRS]
#
# BASELINE_DIR: a checkout of the baseline commit with its bench module packaged, e.g.
#   git archive ed43bdd | tar -x -C /tmp/reckon-base
#   (cd /tmp/reckon-base && mvn -B -o -q -pl bench -am -DskipTests package)
# This checkout must be packaged too (mvn -B -o -q -pl bench -am -DskipTests package).
set -euo pipefail
base=${1:?usage: bench/orchestration-ab.sh BASELINE_DIR [PAIRS]}
pairs=${2:-3}
here="$(cd "$(dirname "$0")/.." && pwd)"
run() {
  local dir=$1 label=$2
  echo "== $label $(date -u +%H:%M:%S) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  (cd "$dir" && java -Xms1g -Xmx1g -XX:+UseG1GC -Dslf4j.internal.verbosity=ERROR \
    -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
    io.reckon.bench.orchestration.OrchestrationBench --questions 10000 --strategy beam:m=4 \
      --budget 16 | grep -E "wall|accuracy")
}
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u)"
for i in $(seq "$pairs"); do
  run "$base" base
  run "$here" this
done
echo "end $(date -u +%H:%M:%S) load: $(cut -d' ' -f1-3 /proc/loadavg)"
