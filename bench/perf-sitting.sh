#!/usr/bin/env bash
# Before and after in one sitting (issue 23): every benchmark of the issue against a baseline
# checkout and this one (or AFTER=DIR, e.g. a worktree of the commit to measure), alternating, each
# step under flock /tmp/reckon-bench.lock so that no other benchmark runs beside it, with the load
# printed beside every figure. Both checkouts must be built (mvn -B -o -q -DskipTests package).
#   BASELINE=/work/perf-baseline bench/perf-sitting.sh
# PARTS (default "e2e rss orchestration cluster"):
#   e2e            bench/onnx-end-to-end.sh 20 16, cached mode: raw decode at batch 64, best-of-N and
#                  beam search end to end, verifier tokens per question
#   rss            bench/peak-rss.sh: the README's main job, wall, peak RSS, accuracy (baseline with
#                  the JVM's defaults, as the issue measured it; after with the recommended options
#                  and with the JVM's defaults)
#   orchestration  the orchestration benchmark (beam N=16, 10,000 questions, synthetic), twice each
#   cluster        bench/cluster-scaling.sh (1/2/4 worker nodes) with coordinator CPU per 1,000 questions
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
baseline=${BASELINE:?set BASELINE to a built checkout of the commit to compare with}
after=${AFTER:-$here}
parts=${PARTS:-e2e rss orchestration cluster}
# A step that fails (a cluster JVM that could not start on an overloaded machine) is reported and
# the sitting goes on; STEP_TIMEOUT (default 1800 s) bounds each step.
# BENCH_LOCK=none skips the lock (when a long job holds it; say so beside the figures).
locked() {
  if [ "${BENCH_LOCK:-}" = none ]; then
    timeout "${STEP_TIMEOUT:-1800}" nice -n 5 "$@" || echo "## step failed or timed out (exit $?): $*"
  else
    flock /tmp/reckon-bench.lock timeout "${STEP_TIMEOUT:-1800}" nice -n 5 "$@" || echo "## step failed or timed out (exit $?): $*"
  fi
}
say() { echo "## $1 ($(date -u '+%H:%M UTC'); uptime: $(uptime | sed 's/.*load/load/'))"; }
echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "# baseline $baseline at $(git -C "$baseline" rev-parse --short HEAD), after $after at $(git -C "$after" rev-parse --short HEAD)"
for part in $parts; do
  case "$part" in
    e2e)
      for home in "$baseline" "$after"; do
        say "e2e: $home"
        locked env RECKON_HOME="$home" SKIP_BUILD=1 MODES=cached "$here/bench/onnx-end-to-end.sh" 20 16
      done ;;
    rss)
      say "rss: baseline, JVM defaults"; locked env RECKON_HOME="$baseline" JAVA_OPTS="" "$here/bench/peak-rss.sh"
      say "rss: after, recommended options"; locked env RECKON_HOME="$after" "$here/bench/peak-rss.sh"
      say "rss: after, JVM defaults"; locked env RECKON_HOME="$after" JAVA_OPTS="" "$here/bench/peak-rss.sh" ;;
    orchestration)
      for round in 1 2; do
        for home in "$baseline" "$after"; do
          say "orchestration round $round: $home"
          (cd "$home" && locked java -Xms1g -Xmx1g -XX:+UseG1GC -Dslf4j.internal.verbosity=ERROR \
            -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
            io.reckon.bench.orchestration.OrchestrationBench --questions 10000 --strategy beam:m=4 --budget 16 \
            | grep -E "wall|accuracy|heap")
        done
      done ;;
    cluster)
      for home in "$baseline" "$after"; do
        say "cluster: $home"
        locked env RECKON_HOME="$home" NODES="${NODES:-1 2 4}" QUESTIONS="${QUESTIONS:-600}" "$here/bench/cluster-scaling.sh"
      done ;;
    *) echo "unknown part $part (e2e, rss, orchestration, cluster)" >&2; exit 2 ;;
  esac
done
