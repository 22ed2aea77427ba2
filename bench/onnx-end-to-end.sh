#!/usr/bin/env bash
# End-to-end policy-model throughput of `reckon run` on the ONNX backend (tokens the policy
# generated per second of wall time, through the actors, batching, PRM scoring and all), for
# best-of-N and beam search, to compare with the raw decode throughput of bench/onnx-throughput.sh,
# and the prompt tokens each question's policy calls really prefilled (a count, not a timing: it
# does not depend on the machine's load).
#   bench/onnx-end-to-end.sh [QUESTIONS_PER_LEVEL] [BUDGET]      (defaults: 20, 16)
# MODES (default "cached uncached"), each run for every strategy in STRATEGIES
# (default "best-of-n beam:m=4"):
#   cached      the shipped settings: prefix KV cache, continuous batching, 64 questions at a time
#   uncached    the same without the prefix cache (RECKON_PREFIX_CACHE_MB=0): every row prefills
#               its whole prompt, as before the cache
#   sequential  one question at a time, no cache, one batch in flight: how the Python peers
#               (search-and-learn) run beam search, without cross-question batching or caching
# RAW=1 (the default) first measures the raw batched decode of the same policy at batch 64
# (bench/onnx-throughput.sh --threads 1 --batches 64) in the same run, and every row gives its
# generated tokens/s as a share of it ("% of raw"); RAW=0 skips it.
# RECKON_HOME=DIR measures another checkout's built jar and models (e.g. a baseline worktree), with
# this script, so that before and after are measured alike in one sitting (bench/perf-sitting.sh).
# "verifier tokens per question" is what the PRM was fed: the incremental PRM feeds each step once.
# Extra reckon options through RUN_ARGS, e.g. RUN_ARGS="--workers 2". The machine's load average
# is printed before and after: timings taken on a loaded machine are not comparable with quiet ones.
# "retried requests" counts model requests that timed out (reckon.question.request-timeout) and
# were sent again: on an overloaded machine their duplicated work inflates the CPU and wall time.
# "CPU s" is the run's user + system CPU time (JVM start, JIT and GC included): on a shared machine
# it moves far less with the load than the wall time does.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${RECKON_HOME:-$here}"
per_level=${1:-20}
budget=${2:-16}
modes=${MODES:-cached uncached}
strategies=${STRATEGIES:-best-of-n beam:m=4}
[ -n "${SKIP_BUILD:-}" ] || mvn -q -B -DskipTests package
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The first questions of every level (awk, not grep | head: pipefail would trip on SIGPIPE).
awk -v n="$per_level" 'match($0, /"level": [0-9]+/) { l = substr($0, RSTART + 9, RLENGTH - 9); if (++seen[l] <= n) print }' \
  data/arith/test.jsonl > "$work/questions.jsonl"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(pwd) at $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
raw=0
rawcpu=0
if [ "${RAW:-1}" = 1 ]; then
  # The raw decode is this checkout's bench (the policy model and ONNX Runtime are the same in both).
  java -cp "$here/bench/target/classes:$here/app/target/reckon.jar" io.reckon.bench.onnx.OnnxThroughput --threads 1 --batches 64 --repeats 3 \
    > "$work/raw.txt" 2> "$work/raw-stderr.txt"
  raw=$(awk -F'|' '$2 ~ /^ *64 *$/ { gsub(/[ ,]/, "", $4); print $4 }' "$work/raw.txt")
  rawcpu=$(awk -F'|' '$2 ~ /^ *64 *$/ { gsub(/[ ,]/, "", $7); print $7 }' "$work/raw.txt")
  echo "# raw batched decode at batch 64: ${raw} tokens/s, ${rawcpu:-?} tokens per CPU second (load $(cut -d' ' -f1-3 /proc/loadavg))"
fi
echo "| strategy | mode | questions | wall s | CPU s | generated tokens | generated tokens/s | % of raw | generated tokens per CPU s | % of raw per CPU s | PRM tokens/s | verifier tokens per question | prompt tokens prefilled per question | without cache or sharing | reduction | prefix-cache hits | retried requests |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for strategy in $strategies; do
  for mode in $modes; do
    case "$mode" in
      cached) env_args=() ;;
      uncached) env_args=(RECKON_PREFIX_CACHE_MB=0) ;;
      sequential) env_args=(RECKON_PREFIX_CACHE_MB=0 RECKON_CONCURRENCY=1 RECKON_MAX_IN_FLIGHT=1) ;;
      *) echo "unknown mode $mode (cached, uncached, sequential)" >&2; exit 2 ;;
    esac
    start=$(date +%s.%N)
    env "${env_args[@]}" /usr/bin/time -f "%U %S" -o "$work/cpu.txt" java -jar app/target/reckon.jar run --backend onnx --data "$work/questions.jsonl" \
      --strategy "$strategy" --budget "$budget" --out "$work/out.jsonl" ${RUN_ARGS:-} \
      > "$work/summary.txt" 2> "$work/stderr.txt"
    end=$(date +%s.%N)
    python3 - "$work/out.jsonl" "$work/summary.txt" "$work/stderr.txt" "$strategy" "$mode" "$start" "$end" "$work/cpu.txt" "$raw" "${rawcpu:-0}" <<'PY'
import json, re, sys
out, summary, stderr, strategy, mode, start, end, cpu_file, raw, rawcpu = sys.argv[1:]
raw = float(raw or 0)
rawcpu = float(rawcpu or 0)
cpu = sum(float(x) for x in open(cpu_file).read().split()[-2:])
gen = prompt = prm = n = retries = 0
for line in open(out):
    result = json.loads(line)
    retries += result.get("retries", 0)
    c = result["compute"]
    gen += c["generatedTokens"]; prompt += c["promptTokens"]; prm += c["verifierTokens"]; n += 1
# The run's own wall time (actors up to the last result), not the JVM start.
m = re.search(r"wall time\s+([0-9.]+) s", open(summary).read())
wall = float(m.group(1)) if m else float(end) - float(start)
# The proposer's own count of every admitted row's prompt: what prefill costs without a cache.
s = re.search(r"prefill ([0-9,]+) of ([0-9,]+) prompt tokens.*?cache ([0-9.]+) % hits", open(stderr).read())
prefilled, whole, hits = (int(s.group(1).replace(",", "")), int(s.group(2).replace(",", "")), s.group(3)) if s else (prompt, prompt, "-")
share = f"{100 * gen / wall / raw:.0f} %" if raw else "-"
# The same ratio per CPU second (the run's whole JVM against the raw decode's own thread): what a
# loaded shared machine does to wall times cancels out of it.
cpushare = f"{100 * gen / cpu / rawcpu:.0f} %" if rawcpu else "-"
print(f"| {strategy} | {mode} | {n} | {wall:.1f} | {cpu:.1f} | {gen:,} | {gen / wall:,.0f} | {share} | {gen / cpu:,.0f} | {cpushare} | {prm / wall:,.0f} | {prm / n:,.0f} "
      f"| {prompt / n:,.0f} | {whole / n:,.0f} | {whole / max(prefilled, 1):.2f}x | {hits} % | {retries} |")
PY
  done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
