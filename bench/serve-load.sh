#!/usr/bin/env bash
# reckon serve under load (README "reckon serve: throughput"): the OpenAI endpoint on the
# synthetic backend, model reckon/best-of-n@4, at 1, 16, 64 and 256 concurrent clients on
# loopback; REQUESTS (512) completions per level after a short warm-up. `--onnx` measures the
# shipped ONNX models at 1 and 16 clients instead (REQUESTS=64 is plenty there).
# Requests/s at N clients over 1 client is what batching across concurrent requests buys.
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND=synthetic
LEVELS=${LEVELS:-1,16,64,256}
if [[ "${1:-}" == "--onnx" ]]; then
  BACKEND=onnx
  LEVELS=${LEVELS_ONNX:-1,16}
fi
mvn -B -q -pl app,bench -am -DskipTests package
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
STORE=$(mktemp -d)
LOG=$(mktemp)
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$STORE" "$LOG"' EXIT
RECKON_STORE_DIR="$STORE" RECKON_MAX_PENDING=1024 \
  java -jar app/target/reckon.jar serve --backend "$BACKEND" --port 0 >"$LOG" 2>&1 &
PID=$!
for _ in $(seq 1 120); do
  grep -q "listening on" "$LOG" && break
  kill -0 "$PID" 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.5
done
URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$LOG" | head -1)
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(date -u +%Y-%m-%dT%H:%MZ)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); backend $BACKEND, model reckon/best-of-n@4"
java -Dslf4j.internal.verbosity=ERROR -cp "$CP" io.reckon.bench.serve.ServeLoad --url "$URL" \
  --model "reckon/best-of-n@4" --concurrency "$LEVELS" --requests "${REQUESTS:-512}"
