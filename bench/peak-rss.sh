#!/usr/bin/env bash
# The README's main job (`reckon run` with no options: the shipped ONNX models, the 1,200 test
# questions, beam:m=4 at 16 generations per question, journaled) measured for wall time, peak
# resident memory and accuracy, with the JVM options Reckon recommends for a CLI run of a small
# model (docs/performance.md):
#
#   bench/peak-rss.sh                       # recommended JVM options
#   JAVA_OPTS="" bench/peak-rss.sh          # the JVM's own defaults (heap up to 1/4 of RAM)
#   RECKON_HOME=/work/perf-baseline bench/peak-rss.sh   # another built checkout, same script
#
# Peak RSS comes from /usr/bin/time -v (its "Maximum resident set size") when it is installed,
# else from the kernel's VmHWM of the JVM, read when the run ends. The journal goes to a temporary
# folder. Prints one line with machine, date, load before and after, wall, peak RSS, accuracy.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${RECKON_HOME:-$here}"
# Recommended for `reckon run` with models of a few MB (see docs/performance.md): a bounded heap
# (the prefix caches, 2 x prefix-cache-mb, live in it: 48 MB each here, heap = 2 x 48 + 160 MB)
# and the serial collector (one short-lived process on few cores: the least memory and CPU for
# GC); direct memory (the decode loop's KV buffers and prefill scratch, up to ~0.25 GB at 64 rows)
# capped at 256 MB; a smaller code cache and two JIT threads; and two glibc malloc arenas (ONNX
# Runtime's threads otherwise each grow one: 180 MiB of the resident set on this job).
JAVA_OPTS=${JAVA_OPTS--Xmx256m -XX:+UseSerialGC -XX:MaxDirectMemorySize=256m -XX:ReservedCodeCacheSize=64m -XX:CICompilerCount=2}
export RECKON_PREFIX_CACHE_MB=${RECKON_PREFIX_CACHE_MB:-48}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
load0=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s.%N)
# Exit 3 (some questions failed: on an overloaded machine, requests past reckon.question.request-
# timeout, RECKON_REQUEST_TIMEOUT) still measures the memory; the line says how many failed.
status=0
# shellcheck disable=SC2086
if [ -x /usr/bin/time ]; then
  RECKON_STORE_DIR="$work/store" /usr/bin/time -v java $JAVA_OPTS -jar app/target/reckon.jar run --out "$work/results.jsonl" \
    > "$work/run.txt" 2> "$work/stderr.txt" || status=$?
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/stderr.txt")
else
  RECKON_STORE_DIR="$work/store" java $JAVA_OPTS -jar app/target/reckon.jar run --out "$work/results.jsonl" \
    > "$work/run.txt" 2> "$work/stderr.txt" &
  pid=$!
  rss_kb=0
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ -n "$v" ] && [ "$v" -gt "$rss_kb" ] && rss_kb=$v
    sleep 0.5
  done
  wait "$pid" || status=$?
fi
wall=$(echo "$(date +%s.%N) - $start" | bc)
python3 - "$work/results.jsonl" "$rss_kb" "$wall" "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(pwd)" "${JAVA_OPTS:-(JVM defaults)}; MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX, RECKON_PREFIX_CACHE_MB=$RECKON_PREFIX_CACHE_MB" "$status" <<'PY'
import json, subprocess, sys, datetime, os
res, rss_kb, wall, load0, load1, home, opts, status = sys.argv[1:]
rows = [json.loads(l) for l in open(res) if l.strip()]
ok = sum(1 for r in rows if r.get("correct") is True)
failed = sum(1 for r in rows if r.get("status") == "failed")
gen = sum(r["spent"] for r in rows) / len(rows)
rev = subprocess.run(["git", "-C", home, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print(f"{datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {home} at {rev}, JAVA_OPTS {opts}: "
      f"wall {float(wall):.0f} s, peak RSS {int(rss_kb) / 1024:.0f} MiB, {len(rows)} questions, accuracy {100 * ok / len(rows):.1f} %, "
      f"{gen:.1f} generations per question, {failed} failed (exit {status}); load before {load0}, after {load1}")
PY
