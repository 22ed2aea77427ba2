#!/usr/bin/env bash
# The kill drill on the shipped ONNX models (README "Durable runs"): one 'reckon run' killed with
# kill -9 at three random points and resumed each time, then compared with an uninterrupted run of
# the same questions, seed and fixed allocation. Prints the timeline, the questions each resume
# kept and restarted, and both accuracies. QUESTIONS (default 120, spread over the 6 levels),
# BUDGET (16), STRATEGY (beam:m=4), SEED (0) choose the run. It takes a few minutes on 2 idle cores.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests package
JAR=app/target/reckon.jar
work=$(mktemp -d)
trap 'kill -9 "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
export RECKON_STORE_DIR="$work/store"
n=${QUESTIONS:-120}
per=$(( (n + 5) / 6 ))
for level in 1 2 3 4 5 6; do
  grep "\"level\": $level}" data/arith/test.jsonl | head -n "$per"
done > "$work/questions.jsonl"
args=(--data "$work/questions.jsonl" --budget "${BUDGET:-16}" --strategy "${STRATEGY:-beam:m=4}"
      --allocation fixed --seed "${SEED:-0}")
t0=$(date +%s.%N)
stamp() { printf '%7.1f s  %s\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$*"; }
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "questions: $(wc -l < "$work/questions.jsonl"), ${args[*]:2}"

stamp "uninterrupted run starts"
java -jar "$JAR" run "${args[@]}" --no-store --out "$work/uninterrupted.jsonl" > "$work/uninterrupted.out" 2>/dev/null
ref=$(echo "$(date +%s.%N) - $t0" | bc)
stamp "uninterrupted run done"

t1=$(date +%s.%N)
java -jar "$JAR" run "${args[@]}" --out "$work/resumed.jsonl" > "$work/run-0.out" 2>/dev/null &
pid=$!
until [ -s "$work/run-0.out" ]; do sleep 0.2; done
id=$(head -1 "$work/run-0.out" | cut -d' ' -f2)
stamp "durable run $id starts"
for k in 1 2 3; do
  # a random point within the first ~quarter of what is left of an uninterrupted run's time
  sleep "$(python3 -c "import random; print(round(random.uniform(0.1, 0.25) * $ref, 1))")"
  if ! kill -0 "$pid" 2>/dev/null; then stamp "the run finished before kill $k"; break; fi
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  stamp "kill -9 #$k: $(java -jar "$JAR" runs | grep "$id" | awk '{print $4, $5, "questions journaled"}')"
  java -jar "$JAR" resume "$id" --out "$work/resumed.jsonl" > "$work/run-$k.out" 2>/dev/null &
  pid=$!
  until [ -s "$work/run-$k.out" ]; do sleep 0.2; done
  stamp "$(head -1 "$work/run-$k.out")"
done
wait "$pid"
stamp "durable run done ($(echo "$(date +%s.%N) - $t1" | bc | cut -d. -f1) s with the kills and restarts)"
python3 - "$work/uninterrupted.jsonl" "$work/resumed.jsonl" <<'PY'
import json, sys
def load(p):
    return {r["id"]: r for r in map(json.loads, open(p))}
a, b = load(sys.argv[1]), load(sys.argv[2])
acc = lambda m: 100.0 * sum(1 for r in m.values() if r.get("correct")) / len(m)
print(f"uninterrupted: {len(a)} questions, accuracy {acc(a):.1f}%")
print(f"killed 3 times and resumed: {len(b)} questions, accuracy {acc(b):.1f}%")
same = sum(1 for k in a if k in b and a[k]["answer"] == b[k].get("answer") and a[k]["spent"] == b[k]["spent"])
print(f"questions with the same answer and generations in both: {same} of {len(a)}")
PY
