#!/usr/bin/env bash
# Orchestration throughput and heap (README "Orchestration benchmark"): beam search N=16 over
# 10,000 and 100,000 questions on the zero-latency synthetic backend. Extra arguments go to every
# run, e.g. bench/orchestration.sh --concurrency 256 --baseline. QUESTIONS="10000" runs one size.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl bench -am -DskipTests package
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
# A fixed heap so that "peak heap" compares across sizes.
JAVA_OPTS=${JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC}
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%Y-%m-%d)"
for n in ${QUESTIONS:-10000 100000}; do
  # shellcheck disable=SC2086
  java $JAVA_OPTS -Dslf4j.internal.verbosity=ERROR -cp "$CP" \
    io.reckon.bench.orchestration.OrchestrationBench --questions "$n" --strategy beam:m=4 --budget 16 "$@"
done
