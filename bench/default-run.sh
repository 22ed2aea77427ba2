#!/usr/bin/env bash
# The README's main job, measured (its top numbers and bench/RESULTS.md): `reckon run` with no options (the shipped ONNX models, the
# 1,200 test questions, beam:m=4 at 16 generations per question, the rule allocation), timed,
# with accuracy and generations per question by level — the figures at the top of the README.
#
# usage: bench/default-run.sh [--out DIR]   (default out/default-run)
# environment: JAVA_OPTS (default -Xmx4g); MVN_FLAGS (e.g. -o for an offline build); any RECKON_* setting, e.g. RECKON_ESTIMATOR="" to
# allocate on the probe's mean PRM score instead of the shipped policy's difficulty estimator.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=out/default-run
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    *) echo "bench/default-run.sh: unknown argument '$1' (try --out DIR)" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
JAVA_OPTS=${JAVA_OPTS:--Xmx4g}
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1), $(date -u +%Y-%m-%dT%H:%MZ)" | tee "$OUT/timings.txt"
start=$(date +%s.%N)
mvn -B -q ${MVN_FLAGS:-} -DskipTests package
echo "build: $(printf '%.0f' "$(echo "$(date +%s.%N) - $start" | bc)") s" | tee -a "$OUT/timings.txt"
cp app/target/reckon.jar "$OUT/reckon.jar"
start=$(date +%s.%N)
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$OUT/reckon.jar" run --no-store --out "$OUT/results.jsonl" > "$OUT/run.txt"
echo "run: $(printf '%.0f' "$(echo "$(date +%s.%N) - $start" | bc)") s" | tee -a "$OUT/timings.txt"
python3 bench/default-run-summary.py "$OUT/results.jsonl" models/policy.json | tee -a "$OUT/timings.txt"
