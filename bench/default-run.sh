#!/usr/bin/env bash
# The README's main job, measured: `reckon run` with no options (the shipped ONNX models, the
# 1,200 test questions, beam:m=4 at 16 generations per question, the rule allocation), timed,
# with accuracy and generations per question by level — the figures at the top of the README.
#
# usage: bench/default-run.sh [--out DIR]   (default out/default-run)
# environment: JAVA_OPTS (default -Xmx4g); any RECKON_* setting, e.g. RECKON_ESTIMATOR="" to
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
mvn -B -q -DskipTests package
echo "build: $(printf '%.0f' "$(echo "$(date +%s.%N) - $start" | bc)") s" | tee -a "$OUT/timings.txt"
cp app/target/reckon.jar "$OUT/reckon.jar"
start=$(date +%s.%N)
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$OUT/reckon.jar" run --no-store --out "$OUT/results.jsonl" > "$OUT/run.txt"
echo "run: $(printf '%.0f' "$(echo "$(date +%s.%N) - $start" | bc)") s" | tee -a "$OUT/timings.txt"
python3 - "$OUT/results.jsonl" <<'PY' | tee -a "$OUT/timings.txt"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault(r.get("level"), []).append(r)
ok = lambda r: r.get("correct") is True
print(f"all: {len(rows)} questions, accuracy {100 * sum(map(ok, rows)) / len(rows):.1f} %, "
      f"generations per question {sum(r['spent'] for r in rows) / len(rows):.1f}")
print("| level | questions | accuracy % | granted per question | spent per question | estimated difficulty |")
print("|---|---|---|---|---|---|")
for level in sorted(by, key=lambda x: (x is None, x)):
    rs = by[level]
    diffs = [r["difficulty"] for r in rs if r.get("difficulty") is not None]
    print(f"| {level} | {len(rs)} | {100 * sum(map(ok, rs)) / len(rs):.1f} | "
          f"{sum(r['granted'] for r in rs) / len(rs):.1f} | {sum(r['spent'] for r in rs) / len(rs):.1f} | "
          f"{sum(diffs) / max(1, len(diffs)):.2f} |")
PY
