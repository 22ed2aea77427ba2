#!/usr/bin/env bash
# End-to-end policy-model throughput of `reckon run` on the ONNX backend (tokens the policy
# generated per second of wall time, through the actors, batching, PRM scoring and all), for
# best-of-N and beam search, to compare with the raw decode throughput of bench/onnx-throughput.sh.
#   bench/onnx-end-to-end.sh [QUESTIONS_PER_LEVEL] [BUDGET]      (defaults: 20, 16)
# Extra reckon options through RUN_ARGS, e.g. RUN_ARGS="--workers 2".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
per_level=${1:-20}
budget=${2:-16}
mvn -q -B -DskipTests package
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The first questions of every level (awk, not grep | head: pipefail would trip on SIGPIPE).
awk -v n="$per_level" 'match($0, /"level": [0-9]+/) { l = substr($0, RSTART + 9, RLENGTH - 9); if (++seen[l] <= n) print }' \
  data/arith/test.jsonl > "$work/questions.jsonl"
echo "| strategy | questions | wall s | generated tokens | generated tokens/s | prompt+generated tokens/s | PRM tokens/s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for strategy in "best-of-n" "beam:m=4"; do
  start=$(date +%s.%N)
  java -jar app/target/reckon.jar run --backend onnx --data "$work/questions.jsonl" \
    --strategy "$strategy" --budget "$budget" --out "$work/out.jsonl" ${RUN_ARGS:-} > "$work/summary.txt" 2>/dev/null
  end=$(date +%s.%N)
  python3 - "$work/out.jsonl" "$work/summary.txt" "$strategy" "$start" "$end" <<'PY'
import json, re, sys
out, summary, strategy, start, end = sys.argv[1:]
gen = prompt = prm = n = 0
for line in open(out):
    c = json.loads(line)["compute"]
    gen += c["generatedTokens"]; prompt += c["promptTokens"]; prm += c["verifierTokens"]; n += 1
# The run's own wall time (actors up to the last result), not the JVM start.
m = re.search(r"wall time\s+([0-9.]+) s", open(summary).read())
wall = float(m.group(1)) if m else float(end) - float(start)
print(f"| {strategy} | {n} | {wall:.1f} | {gen:,} | {gen / wall:,.0f} | {(gen + prompt) / wall:,.0f} | {prm / wall:,.0f} |")
PY
done
