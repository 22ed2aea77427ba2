#!/usr/bin/env bash
# Before and after in one sitting: runs bench/onnx-end-to-end.sh (raw decode at batch 64, then
# best-of-N and beam search end to end, cached mode) against a baseline checkout and this one,
# alternating ROUNDS times, under flock /tmp/reckon-bench.lock so that no other benchmark runs
# beside it. Both checkouts must be built (mvn -B -o -q -DskipTests package in each).
#   BASELINE=/work/perf-baseline bench/perf-sitting.sh [QUESTIONS_PER_LEVEL] [BUDGET]
# environment: ROUNDS (default 1), STRATEGIES (default "best-of-n beam:m=4").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
baseline=${BASELINE:?set BASELINE to a built checkout of the commit to compare with}
per_level=${1:-20}
budget=${2:-16}
echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1), $(date -u '+%Y-%m-%d %H:%M UTC')"
for round in $(seq 1 "${ROUNDS:-1}"); do
  for home in "$baseline" "$here"; do
    echo "## round $round: $home ($(git -C "$home" rev-parse --short HEAD)); uptime: $(uptime)"
    flock /tmp/reckon-bench.lock env RECKON_HOME="$home" SKIP_BUILD=1 MODES=cached \
      nice -n 5 "$here/bench/onnx-end-to-end.sh" "$per_level" "$budget"
  done
done
