#!/usr/bin/env bash
# The whole compute-optimal pipeline behind the README's report (issue 6), end to end:
#   1. sweep the validation split and learn the policy      -> policy.json, validation-sweep.json
#   2. sweep the test split                                  -> test-sweep.json
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
#   SEED           seed of the sweeps and runs (default 0)
#   LARGE_GREEDY   an existing results file of the larger model's greedy run on the test split
#   LARGE_RUN_ARGS extra 'reckon run' arguments that put the larger model in place (e.g. the
#                  backend's model option); with it, step 4 runs best-of-n:temp=0 at budget 1
#                  with the probe off. Without either, the report says the comparison is not
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
  # For the backend choice in 'reckon run/sweep' (the synthetic reasoner is the default until the
  # ONNX backend is the default).
  export RECKON_BACKEND=synthetic
else
  OUT=${OUT:-out/report}
  BUDGETS=${BUDGETS:-1,2,4,8,16,32,64}
  RUN_BUDGETS=${RUN_BUDGETS:-8 16}
fi
SEED=${SEED:-0}
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
# shellcheck disable=SC2086
reckon() { java $JAVA_OPTS -jar "$ROOT/app/target/reckon.jar" "$@"; }

VALIDATION=data/arith/validation.jsonl
TEST=data/arith/test.jsonl
if [ "$SYNTHETIC" = 1 ]; then
  per=${SMOKE_PER_LEVEL:-20}
  for split in validation test; do
    : > "$OUT/$split.jsonl"
    for level in 1 2 3 4 5 6; do
      grep "\"level\": $level}" "data/arith/$split.jsonl" | head -n "$per" >> "$OUT/$split.jsonl" || true
    done
  done
  VALIDATION=$OUT/validation.jsonl
  TEST=$OUT/test.jsonl
fi

step "sweep validation -> policy"
reckon sweep --data "$VALIDATION" --budgets "$BUDGETS" --seed "$SEED" \
  --out "$OUT/policy.json" --sweep-out "$OUT/validation-sweep.json" > "$OUT/sweep-validation.txt"
took "sweep validation"

step "sweep test"
reckon sweep --data "$TEST" --budgets "$BUDGETS" --seed "$SEED" \
  --sweep-out "$OUT/test-sweep.json" > "$OUT/sweep-test.txt"
took "sweep test"

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
