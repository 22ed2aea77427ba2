#!/usr/bin/env bash
# The whole compute-optimal pipeline behind the report in bench/RESULTS.md, end to end:
#   1. sweep the validation split and learn the policy      -> policy.json, validation-sweep.json
#   2. sweep the test split (beside 1)                       -> test-sweep.json
#   3. run compute-optimal on the test split at each budget in RUN_BUDGETS, with a fixed budget
#      per question and with the scheduler, at equal total   -> co-fixed-N.jsonl, co-gain-N.jsonl
#   4. the larger model's greedy answers, when there is a way to get them (see LARGE_* below)
#   5. the report                                            -> report.html, summary.json
# and prints how long each step took.
#
# usage: bench/report.sh [--synthetic] [--out DIR]
#   --synthetic (or RECKON_REPORT_SYNTHETIC=1): a quick smoke check on the seeded synthetic
#       backend: SMOKE_PER_LEVEL questions per level of each split (default 20), budgets up to 16.
#       Its numbers say nothing about the shipped models.
#   --out DIR: where everything goes (default out/report, or out/report-synthetic).
# environment:
#   BUDGETS        sweep budgets (default 1,2,4,8,16,32,64; synthetic 1,2,4,8,16)
#   RUN_BUDGETS    budgets of the compute-optimal runs (default "8 16"; synthetic "8")
#   SEARCH_MAX     tree searches and revisions run at budgets up to this (default 16; 0 = all);
#                  best-of-N reaches every budget from the pool either way
#   VAL_PER_LEVEL, TEST_PER_LEVEL  only the first N questions of each level of the split
#                  (default all; synthetic SMOKE_PER_LEVEL, 20)
#   GRID           ';'-separated sweep grid (default: the sweep's own default grid)
#   SEED           seed of the sweeps and runs (default 0)
#   LARGE_GREEDY   an existing results file of the larger model's greedy run on the test split
#   LARGE_RUN_ARGS extra 'reckon run' arguments that put the larger model in place (e.g. the
#                  backend's model option); with it, step 4 runs best-of-n:temp=0 at budget 1
#                  with the probe off (default: --model models/arith-policy-large when that
#                  model is there). Without either, the report says the comparison is not
#                  available.
#   JAVA_OPTS      JVM options (default -Xmx4g)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SYNTHETIC=${RECKON_REPORT_SYNTHETIC:-0}
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --synthetic) SYNTHETIC=1; shift ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "bench/report.sh: unknown argument '$1' (try --synthetic, --out DIR)" >&2; exit 2 ;;
  esac
done
if [ "$SYNTHETIC" = 1 ]; then
  OUT=${OUT:-out/report-synthetic}
  BUDGETS=${BUDGETS:-1,2,4,8,16}
  RUN_BUDGETS=${RUN_BUDGETS:-8}
  VAL_PER_LEVEL=${VAL_PER_LEVEL:-${SMOKE_PER_LEVEL:-20}}
  TEST_PER_LEVEL=${TEST_PER_LEVEL:-${SMOKE_PER_LEVEL:-20}}
  # config/models.conf reads the backend from RECKON_BACKEND (default onnx)
  export RECKON_BACKEND=synthetic
else
  OUT=${OUT:-out/report}
  BUDGETS=${BUDGETS:-1,2,4,8,16,32,64}
  RUN_BUDGETS=${RUN_BUDGETS:-8 16}
  # the shipped larger policy, when it is there
  if [ -z "${LARGE_GREEDY:-}" ] && [ -z "${LARGE_RUN_ARGS:-}" ] && [ -f models/arith-policy-large/model.onnx ]; then
    LARGE_RUN_ARGS="--model models/arith-policy-large"
  fi
fi
SEED=${SEED:-0}
SEARCH_MAX=${SEARCH_MAX:-16}
GRID_ARGS=()
if [ -n "${GRID:-}" ]; then GRID_ARGS=(--grid "$GRID"); fi
JAVA_OPTS=${JAVA_OPTS:--Xmx4g}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

step_start=0
step() { step_start=$(date +%s.%N); echo "== $1" >&2; }
took() { printf '   %-28s %8.1f s\n' "$1" "$(echo "$(date +%s.%N) - $step_start" | bc)" | tee -a "$OUT/timings.txt" >&2; }
: > "$OUT/timings.txt"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%Y-%m-%dT%H:%MZ)" | tee -a "$OUT/timings.txt" >&2

step "build"
mvn -B -q -DskipTests -pl app -am package
took "build"
# The steps run a copy of the jar: a rebuild of app/ while the sweeps run (for most of an hour)
# would replace the jar under the running JVMs and fail them with NoClassDefFoundError.
cp app/target/reckon.jar "$OUT/reckon.jar"
# shellcheck disable=SC2086
reckon() { java $JAVA_OPTS -jar "$OUT/reckon.jar" "$@"; }

VALIDATION=data/arith/validation.jsonl
TEST=data/arith/test.jsonl
# the first N questions of each level of a split (the splits are sorted by level)
subset() {
  local split=$1 per=$2
  : > "$OUT/$split.jsonl"
  for level in 1 2 3 4 5 6; do
    grep "\"level\": $level}" "data/arith/$split.jsonl" | head -n "$per" >> "$OUT/$split.jsonl" || true
  done
  echo "$OUT/$split.jsonl"
}
if [ -n "${VAL_PER_LEVEL:-}" ]; then VALIDATION=$(subset validation "$VAL_PER_LEVEL"); fi
if [ -n "${TEST_PER_LEVEL:-}" ]; then TEST=$(subset test "$TEST_PER_LEVEL"); fi
echo "validation: $(wc -l < "$VALIDATION") questions, test: $(wc -l < "$TEST") questions, sweep budgets $BUDGETS (searches up to $SEARCH_MAX)" | tee -a "$OUT/timings.txt" >&2

# The two sweeps are independent and each drives its models from one thread, so on a machine
# with 2+ cores they run side by side.
step "sweeps: validation -> policy, and test (side by side)"
reckon sweep --data "$VALIDATION" --budgets "$BUDGETS" --seed "$SEED" --search-max "$SEARCH_MAX" "${GRID_ARGS[@]}" \
  --out "$OUT/policy.json" --sweep-out "$OUT/validation-sweep.json" > "$OUT/sweep-validation.txt" \
  2> "$OUT/sweep-validation.log" &
VAL_PID=$!
reckon sweep --data "$TEST" --budgets "$BUDGETS" --seed "$SEED" --search-max "$SEARCH_MAX" "${GRID_ARGS[@]}" \
  --sweep-out "$OUT/test-sweep.json" > "$OUT/sweep-test.txt"
wait "$VAL_PID" || { echo "the validation sweep failed, see $OUT/sweep-validation.log" >&2; exit 1; }
took "sweeps"

RUNS=()
for n in $RUN_BUDGETS; do
  for mode in fixed gain; do
    step "run compute-optimal, --allocation $mode, N=$n"
    reckon run --data "$TEST" --strategy compute-optimal --policy "$OUT/policy.json" \
      --allocation "$mode" --budget "$n" --seed "$SEED" --out "$OUT/co-$mode-$n.jsonl" \
      > "$OUT/run-co-$mode-$n.txt"
    took "run $mode N=$n"
  done
  RUNS+=("fixed:$n=$OUT/co-fixed-$n.jsonl" "scheduler:$n=$OUT/co-gain-$n.jsonl")
done

LARGE=()
if [ -n "${LARGE_GREEDY:-}" ]; then
  LARGE=(--large-greedy "$LARGE_GREEDY")
elif [ -n "${LARGE_RUN_ARGS:-}" ]; then
  step "larger model, greedy"
  # Greedy means one sample at temperature 0 and nothing else: no probe.
  # shellcheck disable=SC2086
  RECKON_PROBE_SAMPLES=0 reckon run --data "$TEST" --strategy best-of-n:temp=0 --budget 1 \
    --seed "$SEED" --out "$OUT/large-greedy.jsonl" $LARGE_RUN_ARGS > "$OUT/run-large-greedy.txt"
  took "larger model greedy"
  LARGE=(--large-greedy "$OUT/large-greedy.jsonl")
fi

step "report"
reckon report --sweep "$OUT/test-sweep.json" --policy "$OUT/policy.json" --seed "$SEED" \
  --runs "${RUNS[@]}" "${LARGE[@]}" --out "$OUT/report.html"
took "report"
echo "report: $OUT/report.html  summary: $OUT/summary.json  timings: $OUT/timings.txt" >&2
