#!/usr/bin/env bash
# The adaptive-allocation experiment (issue 22), regenerated end to end:
#   1. records the shipped arithmetic models' samples on the test split as a replay file (once;
#      out/adaptive/arith-test.jsonl, RECORD=1 records again): 32 samples per question of the
#      first TEST_PER_LEVEL questions of each level, each with its PRM score (agg last)
#   2. on the date replay (code-davinci-002 x 40), the MATH replay (Qwen2.5-Math x 8 with RM
#      scores) and the arithmetic replay: majority@k (k = 1..max), RM-weighted@k and RM-best@k
#      where scores were recorded, Adaptive-Consistency, ESC and Reckon's adaptive allocation with
#      its pool at equal total budgets, over ORDERS sample orders with 95 % bootstrap intervals
#      over questions and orders (bench AdaptiveBench)
#   3. the same through the actors: 'reckon run --backend replay --allocation adaptive' on the
#      date replay (budget 4) and the arithmetic replay (budget 8), replay seed 0
# and writes out/adaptive/table.md with machine, date and load. Runs under the bench lock.
#
# usage: bench/adaptive.sh [--out DIR]
# environment: ORDERS (20), RESAMPLES (1000), TEST_PER_LEVEL (100), SAMPLES (32), RULE (beta:0.95),
#              ESC (4), ROUND (1), HOPELESS (0.2), SKIP_BUILD=1, RECORD=1
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=out/adaptive
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    *) echo "bench/adaptive.sh: unknown argument '$1' (try --out DIR)" >&2; exit 2 ;;
  esac
done
ORDERS=${ORDERS:-20}
RESAMPLES=${RESAMPLES:-1000}
TEST_PER_LEVEL=${TEST_PER_LEVEL:-100}
SAMPLES=${SAMPLES:-32}
RULE=${RULE:-beta:0.95}
ESC=${ESC:-4}
ROUND=${ROUND:-1}
HOPELESS=${HOPELESS:-0.2}
mkdir -p "$OUT"
LOCK=/tmp/reckon-bench.lock
exec 9>"$LOCK"
echo "waiting for the bench lock ($LOCK)" >&2
flock 9
start=$(date +%s)
export MAVEN_OPTS=${MAVEN_OPTS:--Xmx1g}
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  nice -n 5 mvn -B -o -q -DskipTests -pl app,bench -am package
fi
# Run copies, so that a rebuild while the experiment runs cannot pull classes from under it.
rm -rf "$OUT/classes" "$OUT/lib" && mkdir -p "$OUT/lib" && cp -r bench/target/classes "$OUT/classes"
cp app/target/reckon.jar "$OUT/reckon.jar"
CP="$OUT/classes"
for jar in $(tr ':' ' ' < bench/target/classpath.txt); do
  case "$jar" in
    "$PWD"/*) cp "$jar" "$OUT/lib/"; CP="$CP:$OUT/lib/$(basename "$jar")" ;;
    *) CP="$CP:$jar" ;;
  esac
done
JAVA="nice -n 5 java -Xmx2g -cp $CP"
TABLE="$OUT/table.md"
{
  echo "# Adaptive allocation on recorded samples (bench/adaptive.sh)"
  echo
  echo "- machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(java -version 2>&1 | head -1)"
  echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- settings: ORDERS=$ORDERS RESAMPLES=$RESAMPLES RULE=$RULE ROUND=$ROUND HOPELESS=$HOPELESS ESC=$ESC"
  echo
} > "$TABLE"

ARITH="$OUT/arith-test.jsonl"
if [ ! -f "$ARITH" ] || [ "${RECORD:-0}" = 1 ]; then
  echo "== recording the shipped models on the test split ($TEST_PER_LEVEL per level x $SAMPLES samples)" >&2
  $JAVA io.reckon.bench.adaptive.RecordReplay --questions data/arith/test.jsonl \
    --per-level "$TEST_PER_LEVEL" --samples "$SAMPLES" --seed 0 --out "$ARITH"
  echo "- arithmetic replay recorded at load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$TABLE"
fi
echo "- arithmetic replay: $ARITH, SHA-256 $(sha256sum "$ARITH" | cut -d' ' -f1)" >> "$TABLE"
echo >> "$TABLE"

common=(--orders "$ORDERS" --resamples "$RESAMPLES" --rule "$RULE" --round "$ROUND"
  --hopeless-below "$HOPELESS" --esc "$ESC")
echo "== date" >&2
$JAVA io.reckon.bench.adaptive.AdaptiveBench --replay data/recorded/date.jsonl --task short-answer \
  --label "Date understanding, code-davinci-002 x 40 (data/recorded/date.jsonl)" --budgets 4,8,16,40 \
  "${common[@]}" --out "$OUT/date.md" > /dev/null
echo "== math" >&2
$JAVA io.reckon.bench.adaptive.AdaptiveBench --replay data/recorded/math.jsonl --task math \
  --label "MATH, Qwen2.5-Math-Instruct x 8 with RM scores (data/recorded/math.jsonl)" --budgets 2,4,8 \
  --votes majority,weighted,best "${common[@]}" --out "$OUT/math.md" > /dev/null
echo "== arithmetic" >&2
$JAVA io.reckon.bench.adaptive.AdaptiveBench --replay "$ARITH" --task arith \
  --label "Arithmetic test split, shipped arith-policy x $SAMPLES with arith-prm scores" --budgets 4,8,16 \
  --votes majority,weighted "${common[@]}" --out "$OUT/arith.md" > /dev/null
cat "$OUT/date.md" "$OUT/math.md" "$OUT/arith.md" >> "$TABLE"

echo "== through the actors (reckon run --backend replay --allocation adaptive, replay seed 0)" >&2
{
  echo "### Through the actors"
  echo
  echo "\`reckon run --backend replay --allocation adaptive --stopping $RULE --round $ROUND\` (no store), replay seed 0:"
  echo
  echo '```'
} >> "$TABLE"
JAR="$OUT/reckon.jar"
e2e() {
  local label=$1; shift
  local t0
  t0=$(date +%s.%N)
  if java -Xmx2g -jar "$JAR" run --backend replay --allocation adaptive --stopping "$RULE" --round "$ROUND" \
    --no-store --out "$OUT/e2e-$label.jsonl" "$@" > "$OUT/e2e-$label.txt" 2> "$OUT/e2e-$label.err"; then
    grep -E "^  (all|pool|compute) " "$OUT/e2e-$label.txt" | sed "s/^/$label: /" >> "$TABLE"
  else
    echo "$label: FAILED: $(tail -1 "$OUT/e2e-$label.err")" >> "$TABLE"
  fi
  printf '%s: wall %.1f s, load %s\n' "$label" "$(echo "$(date +%s.%N) - $t0" | bc)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$TABLE"
}
RECKON_ADAPTIVE_HOPELESS_BELOW=$HOPELESS e2e date-4 --data data/recorded/date.jsonl \
  --samples data/recorded/date.jsonl --task short-answer --strategy best-of-n:sel=majority --budget 4
RECKON_ADAPTIVE_HOPELESS_BELOW=$HOPELESS e2e arith-8 --data "$ARITH" --samples "$ARITH" --task arith \
  --strategy best-of-n:sel=majority --budget 8
RECKON_ADAPTIVE_HOPELESS_BELOW=$HOPELESS e2e arith-8-weighted --data "$ARITH" --samples "$ARITH" --task arith \
  --strategy best-of-n:sel=weighted --budget 8
echo '```' >> "$TABLE"
echo >> "$TABLE"
echo "Total $(( $(date +%s) - start )) s; load at the end: $(cut -d' ' -f1-3 /proc/loadavg)." >> "$TABLE"
cat "$TABLE"
