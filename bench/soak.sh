#!/usr/bin/env bash
# The soak benchmark (docs/service.md "Limits"): a reckon serve on the synthetic backend under a
# compressed hour of everything a long-lived server sees (OpenAI requests plain and streamed, some
# hung up before the answer; runs, some cancelled; SSE clients that connect, resume with
# Last-Event-ID and drop; listings and probes). Every INTERVAL it prints heap after GC, threads,
# open files and the journal pool's DB connections; at the end each one's slope per minute with
# its 95 % interval. The server runs in the driver's JVM (io.reckon.server.Soak, server's test
# classes), so the figures are the server's own. SoakShortTest is the two-minute form in mvn verify.
#   bench/soak.sh [LENGTH] [INTERVAL]     ISO-8601 durations; default PT60M PT1M
set -euo pipefail
cd "$(dirname "$0")/.."
LENGTH=${1:-PT60M}
INTERVAL=${2:-PT1M}
if [[ -z "${SKIP_BUILD:-}" ]]; then
  mvn -B -q -o -pl server -am -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile=target/soak-classpath.txt -Dmdep.includeScope=test
fi
# A copy of this checkout's classes and jars: a build during the soak must not change them under it.
SNAP=$(mktemp -d)
trap 'rm -rf "$SNAP"' EXIT
CP=""
IFS=: read -r -a ENTRIES <<<"server/target/test-classes:server/target/classes:$(cat server/target/soak-classpath.txt)"
for i in "${!ENTRIES[@]}"; do
  e=${ENTRIES[$i]}
  case "$e" in
    /*) abs=$e ;;
    *) abs=$PWD/$e ;;
  esac
  if [[ "$abs" == "$PWD"/* ]]; then
    cp -r "$abs" "$SNAP/$i"
    abs="$SNAP/$i"
  fi
  CP="$CP${CP:+:}$abs"
done
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%Y-%m-%dT%H:%MZ)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); soak $LENGTH, a sample every $INTERVAL"
java -Xmx512m -cp "$CP" io.reckon.server.Soak "$LENGTH" "$INTERVAL"
